// Grid events of the user's scope: on the map (overdue in red) and by due time, with the
// actions the user's role may take on each.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var OVERDUE = "#c62828", OPEN = "#ef6c00", DONE = "#757575";
  var map = W.makeMap($("map"), { zoom: 13 });
  var markers = L.featureGroup().addTo(map);
  W.legend(map, [
    { label: gettext("超期"), circle: true, fill: OVERDUE, stroke: "#fff" },
    { label: gettext("办理中"), circle: true, fill: OPEN, stroke: "#fff" },
    { label: gettext("已结束"), circle: true, fill: DONE, stroke: "#fff" },
  ]);
  var LABELS = {
    file: gettext("立案"), reject: gettext("不予立案"), merge: gettext("合并"), dispatch: gettext("派遣"),
    reassign: gettext("改派"), accept: gettext("接单"), report_back: gettext("反馈处理结果"),
    verify: gettext("核查结案"), reopen: gettext("核查不通过"), evaluate: gettext("评价"),
  };
  var NOTE = { reject: true, reassign: true, report_back: true, reopen: true };
  var cats = W.config.event_categories || {}, events = [];

  function colour(e) { return e.overdue ? OVERDUE : (e.due_at ? OPEN : DONE); }

  function card(e) {
    var buttons = e.actions.map(function (a) {
      return '<button type="button" class="act" data-action="' + esc(a) + '">' + esc(LABELS[a] || a) + "</button>";
    }).join(" ");
    return '<li class="event-card' + (e.overdue ? " overdue" : "") + '" data-code="' + esc(e.code) + '" data-state="' + esc(e.state) + '">' +
      "<h2>" + esc(e.category_name || cats[e.category] || e.category) + ' <small>' + esc(e.state_name) + "</small></h2>" +
      "<p>" + esc(e.description) + "</p>" +
      '<p class="due">' + (e.due_at ? gettext("期限") + W.colon + esc(W.when(e.due_at)) +
        (e.overdue ? ' <b class="late">' + gettext("超期") + "</b>" : "") : "") + "</p>" +
      '<p class="meta">' + esc(e.code) + (e.grid ? " · " + gettext("网格") + " " + esc(e.grid) : "") + "</p>" +
      ((e.photos || []).length ? '<p class="photos">' + e.photos.map(function (u) {
        return '<a href="' + esc(u) + '" target="_blank" rel="noopener"><img class="event-photo" src="' + esc(u) + '" alt="' + esc(gettext("照片")) + '"></a>';
      }).join("") + "</p>" : "") +
      '<p class="actions">' + buttons + "</p>" +
      '<div class="act-form" hidden><textarea rows="2" maxlength="2000" placeholder="' + esc(gettext("说明")) + '"></textarea>' +
      '<select class="score" hidden>' + [5, 4, 3, 2, 1].map(function (n) { return '<option value="' + n + '">' + n + "</option>"; }).join("") + "</select>" +
      '<input class="grid" hidden placeholder="' + esc(gettext("网格代码")) + '">' +
      '<button type="button" class="confirm">' + gettext("确定") + '</button> <button type="button" class="link cancel">' + gettext("取消") + "</button></div>" +
      '<p class="notice" hidden></p></li>';
  }

  function load() {
    var f = $("event-filter").elements;
    W.getJSON(W.url("events", {}, { state: f.state.value, overdue: f.overdue.checked ? "true" : "" })).then(function (body) {
      events = body.events;
      $("event-summary").textContent = interpolate(gettext("共 %(n)s 件，超期 %(m)s 件"),
        { n: body.count, m: body.overdue }, true);
      $("event-list").innerHTML = events.map(card).join("");
      $("event-list").dataset.count = String(events.length);
      markers.clearLayers();
      events.forEach(function (e) {
        L.circleMarker(W.toLatLng(e.lon, e.lat), { radius: 7, color: "#fff", weight: 1.5, fillColor: colour(e), fillOpacity: 1, className: "event-marker" + (e.overdue ? " overdue" : "") })
          .bindTooltip(esc(e.category_name) + " · " + esc(e.state_name)).addTo(markers);
      });
      if (events.length) { map.wanggeFramed = true; map.fitBounds(markers.getBounds().pad(0.2), { maxZoom: 17 }); }
    }).catch(function (err) { $("event-summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }

  $("event-list").addEventListener("click", function (ev) {
    var li = ev.target.closest("li.event-card");
    if (!li) { return; }
    var e = events.filter(function (x) { return x.code === li.dataset.code; })[0], form = li.querySelector(".act-form");
    if (ev.target.classList.contains("act")) {
      var action = ev.target.dataset.action;
      form.dataset.action = action; form.hidden = false;
      form.querySelector("textarea").hidden = !NOTE[action] && action !== "dispatch";
      form.querySelector(".score").hidden = action !== "evaluate";
      form.querySelector(".grid").hidden = !(action === "reassign" || (action === "dispatch" && !e.grid));
      return;
    }
    if (ev.target.classList.contains("cancel")) { form.hidden = true; return; }
    if (!ev.target.classList.contains("confirm")) { return; }
    var body = { action: form.dataset.action, version: e.version, note: form.querySelector("textarea").value.trim() };
    if (form.dataset.action === "evaluate") { body.score = +form.querySelector(".score").value; }
    if (!form.querySelector(".grid").hidden && form.querySelector(".grid").value) { body.grid = form.querySelector(".grid").value.trim(); }
    var notice = li.querySelector(".notice");
    W.postJSON(W.url("event_act", { code: e.code }), body).then(load).catch(function (err) {
      notice.hidden = false;
      notice.textContent = err.status === 409 && err.body && err.body.event
        ? gettext("已被他人处理，已刷新") : gettext("操作失败") + W.colon + err.message;
      if (err.status === 409) { setTimeout(load, 1500); }
    });
  });
  $("event-filter").addEventListener("change", load);
  load();
})();
