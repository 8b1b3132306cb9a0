// Grid events of the user's scope: on the map (each event, or counted per screen cell, or
// as a heat map of a category; overdue in red) and by due time, with the actions the
// user's role may take on each, and the likely duplicates to merge.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var OVERDUE = "#c62828", OPEN = "#ef6c00", DONE = "#757575";
  var map = W.makeMap($("map"), { zoom: 13 });
  var layer = L.featureGroup().addTo(map), heat = null;
  var departments = JSON.parse($("event-departments").textContent || "{}");
  W.legend(map, [
    { label: gettext("超期"), circle: true, fill: OVERDUE, stroke: "#fff" },
    { label: gettext("办理中"), circle: true, fill: OPEN, stroke: "#fff" },
    { label: gettext("已结束"), circle: true, fill: DONE, stroke: "#fff" },
    { label: gettext("聚合的事件数（红圈：含超期）"), circle: true, fill: "#fff", stroke: OVERDUE },
    { label: gettext("热力图（越红越密）"), fill: "linear-gradient(90deg,#2c7bb6,#ffffbf,#d7191c)", stroke: "#999" },
  ]);
  var LABELS = {
    file: gettext("立案"), reject: gettext("不予立案"), merge: gettext("合并"), dispatch: gettext("派遣"),
    reassign: gettext("改派"), accept: gettext("接单"), report_back: gettext("反馈处理结果"),
    verify: gettext("核查结案"), reopen: gettext("核查不通过"), evaluate: gettext("评价"),
  };
  var NOTE = { reject: true, reassign: true, report_back: true, reopen: true };
  var cats = W.config.event_categories || {}, events = [];

  function colour(e) { return e.overdue ? OVERDUE : (e.due_at ? OPEN : DONE); }

  function filters() {
    var f = $("event-filter").elements;
    return { state: f.state.value, category: f.category.value, since: f.since.value, until: f.until.value,
      overdue: f.overdue.checked ? "true" : "" };
  }

  function handOver() {
    var opts = Object.keys(departments).map(function (k) {
      return '<option value="' + esc(k) + '">' + esc(departments[k]) + "</option>";
    }).join("");
    return '<span class="handover" hidden><input class="grid" placeholder="' + esc(gettext("网格代码")) + '"> ' +
      '<select class="department" aria-label="' + esc(gettext("或交职能部门")) + '"><option value="">' +
      esc(gettext("或交职能部门")) + "</option>" + opts + "</select></span>";
  }

  function card(e) {
    var buttons = e.actions.map(function (a) {
      return '<button type="button" class="act" data-action="' + esc(a) + '">' + esc(LABELS[a] || a) + "</button>";
    }).join(" ");
    var where = (e.grid ? " · " + gettext("网格") + " " + esc(e.grid) : "") +
      (e.department ? " · " + esc(e.department_name) : "");
    return '<li class="event-card' + (e.overdue ? " overdue" : "") + '" data-code="' + esc(e.code) + '" data-state="' + esc(e.state) + '">' +
      '<h2><a href="#" class="locate">' + esc(e.category_name || cats[e.category] || e.category) + '</a> <small>' + esc(e.state_name) + "</small></h2>" +
      "<p>" + esc(e.description) + "</p>" +
      '<p class="due">' + (e.due_at ? gettext("期限") + W.colon + esc(W.when(e.due_at)) +
        (e.overdue ? ' <b class="late">' + gettext("超期") + "</b>" : "") : "") + "</p>" +
      '<p class="meta">' + esc(e.code) + where + "</p>" +
      ((e.photos || []).length ? '<p class="photos">' + e.photos.map(function (u) {
        return '<a href="' + esc(u) + '" target="_blank" rel="noopener"><img class="event-photo" src="' + esc(u) + '" alt="' + esc(gettext("照片")) + '"></a>';
      }).join("") + "</p>" : "") +
      '<p class="actions">' + buttons + "</p>" +
      '<div class="act-form" hidden><textarea rows="2" maxlength="2000" placeholder="' + esc(gettext("说明")) + '"></textarea>' +
      '<select class="score" hidden>' + [5, 4, 3, 2, 1].map(function (n) { return '<option value="' + n + '">' + n + "</option>"; }).join("") + "</select>" +
      handOver() +
      '<button type="button" class="confirm">' + gettext("确定") + '</button> <button type="button" class="link cancel">' + gettext("取消") + "</button></div>" +
      '<p class="notice" hidden></p></li>';
  }

  // The map layer: the events in view from the server, which counts them per cell when
  // there are too many to draw one by one.
  var pending = 0;
  function drawMap() {
    var b = map.getBounds().pad(0.1), ticket = ++pending;
    var q = filters();
    q.bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)]
      .map(function (v) { return v.toFixed(5); }).join(",");
    q.zoom = map.getZoom();
    W.getJSON(W.url("event_map", {}, q)).then(function (body) {
      if (ticket !== pending) { return; }  // a newer view was asked for meanwhile
      layer.clearLayers();
      if (heat) { map.removeLayer(heat); heat = null; }
      $("map").dataset.mode = body.mode;
      $("map").dataset.total = String(body.total);
      $("map").dataset.zoom = String(q.zoom);
      $("map-summary").textContent = interpolate(gettext("地图范围内 %(n)s 件"), { n: body.total }, true) +
        (body.mode === "cells" ? W.comma + gettext("已按位置聚合") : "");
      if ($("event-filter").elements.mode.value === "heat") {
        heat = L.heatLayer(body.features.map(function (f) {
          var ll = W.toLatLng(f.lon, f.lat);
          return [ll.lat, ll.lng, f.count];
        }), { radius: 25, blur: 18, max: Math.max.apply(null, body.features.map(function (f) { return f.count; }).concat([1])),
          gradient: { 0.2: "#2c7bb6", 0.5: "#ffffbf", 1: "#d7191c" } }).addTo(map);
        return;
      }
      body.features.forEach(function (f) {
        var ll = W.toLatLng(f.lon, f.lat), name = cats[f.category] || f.category;
        if (f.code) {
          L.circleMarker(ll, { radius: 7, color: "#fff", weight: 1.5, fillColor: f.overdue ? OVERDUE : (f.state === "closed" || f.state === "evaluated" || f.state === "rejected" || f.state === "merged" ? DONE : OPEN),
            fillOpacity: 1, className: "event-marker" + (f.overdue ? " overdue" : "") })
            .bindTooltip(esc(name) + " · " + esc(f.code)).addTo(layer);
          return;
        }
        var size = 26 + Math.min(24, Math.round(6 * Math.log10(f.count)));
        L.marker(ll, { icon: L.divIcon({ className: "event-cluster" + (f.overdue ? " has-overdue" : ""),
          html: "<span>" + esc(String(f.count)) + "</span>", iconSize: [size, size] }) })
          .bindTooltip(interpolate(gettext("%(n)s 件，超期 %(m)s 件，多为%(cat)s"), { n: f.count, m: f.overdue, cat: name }, true))
          .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); })
          .addTo(layer);
      });
    }).catch(function (err) { $("map-summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }

  function loadDuplicates() {
    W.getJSON(W.url("event_duplicates")).then(function (body) {
      var box = $("duplicates");
      box.hidden = !body.groups.length;
      box.querySelector(".count").textContent = String(body.groups.length);
      box.querySelector(".dup-list").innerHTML = body.groups.map(function (g) {
        return '<li data-keep="' + esc(g.keep) + '">' + interpolate(gettext("%(merge)s 并入 %(keep)s"),
          { merge: g.merge.map(esc).join(W.comma), keep: esc(g.keep) }, true) +
          ' <button type="button" class="merge-group" data-merge="' + esc(g.merge.join(",")) + '">' + gettext("合并") + "</button></li>";
      }).join("");
    }).catch(function () { $("duplicates").hidden = true; });
  }

  function mergeOne(code, keep) {
    return W.getJSON(W.url("event", { code: code })).then(function (e) {
      return W.postJSON(W.url("event_act", { code: code }), { action: "merge", version: e.version, merge_into: keep,
        note: interpolate(gettext("疑似重复，并入 %(keep)s"), { keep: keep }, true) });
    });
  }

  // Per grid: each step's finished count and share on time (the office's league table).
  function loadRates() {
    var steps = ["file", "dispatch", "handle", "verify"];
    W.getJSON(W.url("event_rates")).then(function (body) {
      function cell(r) { return r && r.rate !== null ? Math.round(100 * r.rate) + "% (" + r.finished + ")" : "—"; }
      $("grid-rates").querySelector("tbody").innerHTML = body.grids.map(function (g) {
        return "<tr><td>" + esc(g.code) + "</td>" + steps.map(function (s) { return "<td>" + esc(cell(g.steps[s])) + "</td>"; }).join("") + "</tr>";
      }).join("");
      var csv = [["grid"].concat(steps.map(function (s) { return s + "_finished," + s + "_on_time"; })).join(",")]
        .concat(body.grids.map(function (g) {
          return [g.code].concat(steps.map(function (s) { var r = g.steps[s]; return r ? r.finished + "," + r.on_time : "0,0"; })).join(",");
        })).join("\n");
      $("grid-rates-csv").href = "data:text/csv;charset=utf-8," + encodeURIComponent("\ufeff" + csv + "\n");
    }).catch(function () { $("grid-rates").hidden = true; });
  }

  function load() {
    W.getJSON(W.url("events", {}, filters())).then(function (body) {
      events = body.events;
      $("event-summary").textContent = interpolate(gettext("共 %(n)s 件，超期 %(m)s 件"),
        { n: body.count, m: body.overdue }, true);
      var unsettled = body.calendar_unsettled || [];
      $("calendar-note").hidden = !unsettled.length;
      $("calendar-note").textContent = interpolate(gettext("%(years)s 年的节假日安排尚未载入国务院正式通知，期限按法定假日推算，可能有出入。"),
        { years: unsettled.join(W.comma) }, true);
      $("event-list").innerHTML = events.map(card).join("");
      $("event-list").dataset.count = String(events.length);
      if (events.length && !map.wanggeEventsFramed) {
        map.wanggeFramed = map.wanggeEventsFramed = true;
        map.fitBounds(L.latLngBounds(events.map(function (e) { return W.toLatLng(e.lon, e.lat); })).pad(0.2), { maxZoom: 17 });
      }
      drawMap();
    }).catch(function (err) { $("event-summary").textContent = gettext("加载失败") + W.colon + err.message; });
    loadDuplicates();
  }

  $("event-list").addEventListener("click", function (ev) {
    var li = ev.target.closest("li.event-card");
    if (!li) { return; }
    var e = events.filter(function (x) { return x.code === li.dataset.code; })[0], form = li.querySelector(".act-form");
    if (ev.target.classList.contains("locate")) {
      ev.preventDefault();
      map.setView(W.toLatLng(e.lon, e.lat), 17);
      return;
    }
    if (ev.target.classList.contains("act")) {
      var action = ev.target.dataset.action;
      form.dataset.action = action; form.hidden = false;
      form.querySelector("textarea").hidden = !NOTE[action] && action !== "dispatch";
      form.querySelector(".score").hidden = action !== "evaluate";
      form.querySelector(".handover").hidden = !(action === "reassign" || action === "dispatch");
      return;
    }
    if (ev.target.classList.contains("cancel")) { form.hidden = true; return; }
    if (!ev.target.classList.contains("confirm")) { return; }
    var body = { action: form.dataset.action, version: e.version, note: form.querySelector("textarea").value.trim() };
    if (form.dataset.action === "evaluate") { body.score = +form.querySelector(".score").value; }
    if (!form.querySelector(".handover").hidden) {
      var grid = form.querySelector(".grid").value.trim(), dept = form.querySelector(".department").value;
      if (grid) { body.grid = grid; }
      if (dept) { body.department = dept; }
    }
    var notice = li.querySelector(".notice");
    W.postJSON(W.url("event_act", { code: e.code }), body).then(load).catch(function (err) {
      notice.hidden = false;
      notice.textContent = err.status === 409 && err.body && err.body.event
        ? gettext("已被他人处理，已刷新") : gettext("操作失败") + W.colon + err.message;
      if (err.status === 409) { setTimeout(load, 1500); }
    });
  });
  $("duplicates").addEventListener("click", function (ev) {
    if (!ev.target.classList.contains("merge-group")) { return; }
    var li = ev.target.closest("li"), keep = li.dataset.keep, codes = ev.target.dataset.merge.split(",");
    ev.target.disabled = true;
    codes.reduce(function (p, code) { return p.then(function () { return mergeOne(code, keep); }); }, Promise.resolve())
      .then(load).catch(function (err) {
        ev.target.disabled = false;
        li.appendChild(document.createTextNode(" " + gettext("操作失败") + W.colon + err.message));
      });
  });
  $("event-filter").addEventListener("change", function (ev) {
    if (ev.target.name === "mode") { drawMap(); } else { load(); }
  });
  map.on("moveend", drawMap);
  load();
  loadRates();
})();
