// The micro-wish board: open wishes near the map's center for anyone (masked, placed
// roughly); for staff, the scope's wishes with posting, suggested claimants and actions.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var board = L.featureGroup(), mine = L.featureGroup();
  var overlays = {}; overlays[gettext("待认领的心愿")] = board;
  var map = W.makeMap($("map"), { zoom: 14, overlays: overlays });
  board.addTo(map); mine.addTo(map);
  var labels = {};
  JSON.parse($("wish-categories").textContent).forEach(function (c) { labels[c[0]] = c[1]; });
  var COLOURS = { goods: "#ef6c00", study: "#1565c0", health: "#c62828", care: "#6a1b9a", repair: "#2e7d32", other: "#616161" };
  var legend = W.legend(map, Object.keys(COLOURS).map(function (k) {
    return { circle: true, fill: COLOURS[k], label: labels[k] };
  }), gettext("心愿类别"), true);
  legend.getContainer().id = "legend";
  function mark(w, group) {
    return L.circleMarker(W.toLatLng(w.lon, w.lat), { radius: 8, color: "#fff", weight: 2, fillColor: COLOURS[w.category], fillOpacity: 0.9, className: "wish-marker" })
      .bindTooltip(esc(labels[w.category]) + W.colon + esc(w.text)).addTo(group);
  }
  function nearby(lon, lat) {
    $("board-status").textContent = gettext("正在查找…");
    board.clearLayers();
    W.getJSON(W.url("wishes_nearby", {}, { lon: lon.toFixed(6), lat: lat.toFixed(6), radius: 3000 })).then(function (body) {
      body.wishes.forEach(function (w) { mark(w, board); });
      $("board").innerHTML = body.wishes.map(function (w) {
        return "<li><b>" + esc(w.category_label) + "</b> " + esc(w.text) + "<br><span class=\"hint\">" + esc(w.person) + " · " + esc(w.community) + " · " +
          esc(interpolate(gettext("约 %s 米"), [w.distance_m])) + " · " + esc(w.posted_on) + "</span></li>";
      }).join("");
      $("board-status").textContent = body.wishes.length ? interpolate(gettext("附近 3 公里内有 %s 个待认领的心愿"), [body.wishes.length]) : gettext("附近 3 公里内没有待认领的心愿");
    }).catch(function (err) { $("board-status").textContent = err.message; });
  }
  function here() { var c = map.getCenter(); nearby(c.lng, c.lat); }
  $("here").addEventListener("click", here);
  $("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      map.setView([pos.coords.latitude, pos.coords.longitude], 15);
      nearby(pos.coords.longitude, pos.coords.latitude);
    }, function () { $("board-status").textContent = gettext("无法取得您的位置"); });
  });

  // Staff: the scope's wishes, with what may be done to each.
  var table = $("table-wishes"), canAct = $("map").dataset.canAct === "1", wishes = [];
  function actions(w) {
    if (!canAct) { return ""; }
    var b = function (act, text) { return "<button type=\"button\" data-act=\"" + act + "\" data-id=\"" + esc(w.id) + "\">" + esc(text) + "</button> "; };
    if (w.status === "open") { return b("suggest", gettext("建议认领人")) + b("cancel", gettext("撤销")); }
    if (w.status === "claimed") { return b("fulfil", gettext("已实现")) + b("cancel", gettext("撤销")); }
    return "";
  }
  function staffLoad() {
    if (!table) { return Promise.resolve(); }
    mine.clearLayers();
    return W.getJSON(W.url("wishes", {}, {})).then(function (body) {
      wishes = body.wishes;
      table.innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("心愿")) + "</th><th>" + esc(gettext("心愿人")) + "</th><th>" + esc(gettext("状态")) + "</th><th></th></tr></thead><tbody>" +
        wishes.map(function (w) {
          return "<tr data-id=\"" + esc(w.id) + "\"><td>" + esc(w.community_name) + "</td><td>" + esc(w.category_label) + W.colon + esc(w.text) + "</td><td>" + esc(w.person) + "</td><td>" + esc(w.status_label) +
            (w.unit ? " · " + esc(w.unit) : "") + "</td><td>" + actions(w) + "</td></tr>";
        }).join("") + "</tbody>";
      var b = board.getBounds();
      if (!map.wanggeFramed && wishes.length) {
        var g = L.featureGroup(wishes.map(function (w) { return L.marker(W.toLatLng(w.lon, w.lat)); }));
        map.wanggeFramed = true; map.fitBounds(g.getBounds().pad(0.2));
      } else if (b.isValid()) { map.fitBounds(b); }
      here();
    }).catch(function (err) { $("staff-status").textContent = err.message; });
  }
  function act(id, action, body) {
    var w = wishes.filter(function (x) { return String(x.id) === String(id); })[0];
    return W.postJSON(W.url("wish_act", { id: id, action: action }), Object.assign({ version: w.version }, body || {})).then(function (r) {
      $("staff-status").textContent = interpolate(gettext("%s：%s"), [r.text, r.status_label]);
      $("suggest").hidden = true;
      return staffLoad();
    }).catch(function (err) { $("staff-status").textContent = err.message; });
  }
  if (table) {
    table.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-act]");
      if (!b) { return; }
      var id = b.dataset.id;
      if (b.dataset.act === "suggest") {
        W.getJSON(W.url("wish_suggest", { id: id }, { k: 5 })).then(function (body) {
          $("suggest").hidden = false;
          $("table-suggest").innerHTML = "<thead><tr><th>" + esc(gettext("认领人")) + "</th><th>" + esc(gettext("步行距离 m")) + "</th><th></th></tr></thead><tbody>" +
            body.candidates.map(function (c) {
              var who = c.kind === "member" ? interpolate(gettext("党员 %s（%s）"), [c.name, c.community]) : interpolate(gettext("单位 %s"), [c.name]);
              var note = c.busy ? " " + gettext("（今年已认领过）") : "";
              return "<tr><td>" + esc(who + note) + "</td><td>" + esc(c.walk_m) + "</td><td><button type=\"button\" data-claim=\"" + esc(c.kind) + "\" data-who=\"" + esc(c.id) + "\" data-wish=\"" + esc(id) + "\">" + esc(gettext("认领")) + "</button></td></tr>";
            }).join("") + "</tbody>";
          if (!body.candidates.length) { $("table-suggest").innerHTML = "<tr><td>" + esc(gettext("3 公里内没有可建议的认领人")) + "</td></tr>"; }
        }).catch(function (err) { $("staff-status").textContent = err.message; });
      } else if (b.dataset.act === "fulfil") {
        var note = window.prompt(gettext("实现情况（可留空）："), "");
        if (note !== null) { act(id, "fulfil", { note: note }); }
      } else if (b.dataset.act === "cancel") {
        var why = window.prompt(gettext("撤销原因："), "");
        if (why !== null) { act(id, "cancel", { note: why }); }
      }
    });
    $("table-suggest").addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-claim]");
      if (!b) { return; }
      var body = {}; body[b.dataset.claim] = Number(b.dataset.who);
      act(b.dataset.wish, "claim", body);
    });
  }
  var form = $("wish-form"), where = null, pin = null;
  if (form) {
    map.on("click", function (e) {
      where = e.latlng;
      if (pin) { map.removeLayer(pin); }
      pin = L.marker(e.latlng).addTo(map);
      $("wish-where").textContent = interpolate(gettext("位置：%s, %s"), [e.latlng.lng.toFixed(5), e.latlng.lat.toFixed(5)]);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!where) { $("staff-status").textContent = gettext("请先在地图上点击心愿人所在的位置"); return; }
      W.postJSON(W.url("wishes"), { community: form.elements.community.value, category: form.elements.category.value, text: form.elements.text.value, person: form.elements.person.value, lon: where.lng, lat: where.lat })
        .then(function (w) {
          $("staff-status").textContent = interpolate(gettext("已发布：%s"), [w.text]);
          form.reset(); if (pin) { map.removeLayer(pin); pin = null; } where = null;
          return staffLoad();
        }).catch(function (err) { $("staff-status").textContent = err.message; });
    });
  }
  if ($("import-form")) { W.sheetUpload($("import-form"), "wishes", $("staff-status"), $("table-problems"), staffLoad); }
  if (table) { staffLoad(); } else { here(); }
})();
