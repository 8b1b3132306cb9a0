// The "532" star rating: communities coloured gold, silver or red by earned stars, the weak
// list with its reasons and leaders, rectification to closure, and evaluators' scores.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var shapes = L.featureGroup(), weakLayer = L.featureGroup();
  var overlays = {};
  overlays[gettext("星级")] = shapes; overlays[gettext("软弱涣散名单")] = weakLayer;
  var map = W.makeMap($("map"), { zoom: 12, overlays: overlays, onShift: function () { load(); } });
  if (!map._controlCorners.topright.querySelector(".leaflet-control-layers")) {
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 700px)").matches }).addTo(map);
  }
  shapes.addTo(map); weakLayer.addTo(map);
  var FILL = { gold: "#f9a825", silver: "#b0bec5", red: "#e53935" };
  var NAMES = { gold: gettext("金星"), silver: gettext("银星"), red: gettext("红星") };
  var canRectify = $("map").dataset.canRectify === "1";
  var data = null, rects = [];
  function colourName(c) { return c ? NAMES[c] : gettext("未评星"); }
  function legend() {
    var items = data.levels.map(function (lv) {
      return { fill: FILL[lv.colour], stroke: "#424242", label: interpolate(gettext("%s（%s 星以上）"), [NAMES[lv.colour], lv.min_stars]) };
    }).concat([{ fill: "#ffffff", stroke: "#424242", label: gettext("未评星") },
      { line: true, stroke: "#000000", width: 3, dash: true, label: gettext("软弱涣散名单") }]);
    if (map._starLegend) { map.removeControl(map._starLegend); }
    map._starLegend = W.legend(map, items, gettext("星级"), true);
    map._starLegend.getContainer().id = "legend";
  }
  function tables() {
    $("table-communities").innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("总分")) + "</th><th>" + esc(gettext("星数")) + "</th><th>" + esc(gettext("星级")) + "</th>" +
      data.stars.map(function (s) { return "<th>" + esc(s.title) + "</th>"; }).join("") + "</tr></thead><tbody>" +
      data.communities.map(function (c) {
        return "<tr data-code=\"" + esc(c.code) + "\"><td>" + esc(c.name) + "</td><td>" + c.total + "</td><td>" + c.stars + "</td><td>" + esc(colourName(c.colour)) + "</td>" +
          c.items.map(function (it) {
            var title = it.source === "measured" ? interpolate(gettext("实测值 %s，目标 %s"), [it.value, it.target]) : (it.source === "scored" ? it.evidence : gettext("无数据"));
            return "<td title=\"" + esc(title) + "\"" + (it.earned ? "" : " class=\"breach\"") + ">" + it.points + "</td>";
          }).join("") + "</tr>";
      }).join("") + "</tbody>";
    $("table-weak").innerHTML = "<thead><tr><th>#</th><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("总分")) + "</th><th>" + esc(gettext("原因（未得星）")) + "</th><th>" + esc(gettext("挂点领导")) + "</th><th>" + esc(gettext("整改")) + "</th></tr></thead><tbody>" +
      data.weak.map(function (w) {
        var r = w.rectification;
        var action = r ? esc(r.status_label) : (canRectify ? "<button type=\"button\" class=\"open-rect\" data-code=\"" + esc(w.code) + "\">" + esc(gettext("列入整改")) + "</button>" : esc(gettext("未列入")));
        return "<tr><td>" + w.rank + "</td><td>" + esc(w.name) + (w.village ? " " + esc(gettext("（村）")) : "") + "</td><td>" + w.total + "</td><td>" + esc(w.reasons.join(gettext("；"))) + "</td><td" + (w.leaders.length ? "" : " class=\"breach\"") + ">" +
          esc(w.leaders.length ? w.leaders.join(gettext("、")) : gettext("无（须指定）")) + "</td><td>" + action + "</td></tr>";
      }).join("") + "</tbody>";
    $("table-rectifications").innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("状态")) + "</th><th>" + esc(gettext("挂点领导")) + "</th><th>" + esc(gettext("列入日期")) + "</th><th>" + esc(gettext("整改措施")) + "</th><th></th></tr></thead><tbody>" +
      rects.map(function (r) {
        var next = r.status === "open" ? "in_progress" : (r.status === "in_progress" ? "closed" : null);
        var label = next === "in_progress" ? gettext("开始整改") : gettext("销号");
        return "<tr><td>" + esc(r.community_name) + "</td><td>" + esc(r.status_label) + "</td><td>" + esc(r.leader || "—") + "</td><td>" + esc(r.opened_on) + "</td><td class=\"pre\">" + esc(r.measures) + "</td><td>" +
          (next && canRectify ? "<button type=\"button\" class=\"advance\" data-id=\"" + esc(r.id) + "\" data-next=\"" + next + "\" data-version=\"" + esc(r.version) + "\">" + esc(label) + "</button>" : "") + "</td></tr>";
      }).join("") + "</tbody>";
    var form = $("score-form");
    if (form) {
      form.elements.community.innerHTML = data.communities.map(function (c) { return "<option value=\"" + esc(c.code) + "\">" + esc(c.name) + "</option>"; }).join("");
    }
  }
  function load() {
    var scope = $("scope").value, year = $("year").value;
    $("summary").textContent = gettext("正在计算…");
    shapes.clearLayers(); weakLayer.clearLayers();
    return Promise.all([
      W.getJSON(W.url("communities", {}, { page_size: 2000, code: scope })),
      W.getJSON(W.url("stars", {}, { scope: scope, year: year })),
      W.getJSON(W.url("rectifications", {}, { scope: scope, year: year })),
    ]).then(function (res) {
      var geo = res[0]; data = res[1]; rects = res[2].rectifications;
      var byCode = {}; data.communities.forEach(function (c) { byCode[c.code] = c; });
      var weak = {}; data.weak.forEach(function (w) { weak[w.code] = w; });
      var layer = W.geoJSON(geo, {
        style: function (f) { var c = byCode[f.properties.code] || {}; return { color: "#555", weight: 1, fillColor: FILL[c.colour] || "#ffffff", fillOpacity: 0.6, className: "star-shape" }; },
        onEachFeature: function (f, l) {
          var c = byCode[f.properties.code];
          if (!c) { return; }
          l.bindTooltip(esc(c.name) + W.colon + "★" + c.stars, { className: "star-label" });
          l.bindPopup("<b>" + esc(c.name) + "</b><br>" + esc(interpolate(gettext("%s 分，%s 颗星，%s"), [c.total, c.stars, colourName(c.colour)])) +
            (weak[c.code] ? "<br>" + esc(gettext("软弱涣散名单")) + W.colon + esc(weak[c.code].reasons.join(gettext("；"))) : ""));
        },
      }).addTo(shapes);
      W.geoJSON({ type: "FeatureCollection", features: geo.features.filter(function (f) { return weak[f.properties.code]; }) }, {
        style: function () { return { color: "#000000", weight: 3, dashArray: "6 4", fill: false, className: "weak-outline" }; },
        interactive: false,
      }).addTo(weakLayer);
      if (layer.getBounds().isValid()) { map.wanggeFramed = true; map.fitBounds(layer.getBounds()); }
      $("map").dataset.choropleth = String(geo.features.length);
      legend();
      var s = data.summary;
      $("summary").textContent = interpolate(gettext("%s 年：%s 个社区，金星 %s 个、银星 %s 个、红星 %s 个、未评星 %s 个；软弱涣散名单 %s 个，整改中或待整改 %s 个，已销号 %s 个。"),
        [data.year, s.communities, s.by_colour.gold || 0, s.by_colour.silver || 0, s.by_colour.red || 0, s.no_colour, s.weak,
          rects.filter(function (r) { return r.status !== "closed"; }).length, rects.filter(function (r) { return r.status === "closed"; }).length]);
      tables();
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  W.tabs();
  $("table-weak").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.open-rect");
    if (!b) { return; }
    b.disabled = true;
    W.postJSON(W.url("rectifications"), { community: b.dataset.code, year: Number($("year").value) }).then(function (r) {
      $("weak-status").textContent = interpolate(gettext("已列入整改：%s"), [r.community_name]); load();
    }).catch(function (err) { $("weak-status").textContent = err.message; b.disabled = false; });
  });
  $("table-rectifications").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.advance");
    if (!b) { return; }
    var note = window.prompt(b.dataset.next === "closed" ? gettext("写明整改措施和成效：") : gettext("整改措施（可留空）："), "");
    if (note === null) { return; }
    W.postJSON(W.url("rectification_advance", { id: b.dataset.id }), { status: b.dataset.next, note: note, version: Number(b.dataset.version) }).then(function (r) {
      $("rect-status").textContent = interpolate(gettext("%s：%s"), [r.community_name, r.status_label]); load();
    }).catch(function (err) { $("rect-status").textContent = err.message; });
  });
  var form = $("score-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = form.elements.community.value, star = form.elements.star.value, year = $("year").value;
      var c = data.communities.filter(function (x) { return x.code === code; })[0];
      var url = W.url("star_score", { code: code, year: year, star: star });
      var body = { points: form.elements.points.value, evidence: form.elements.evidence.value };
      // A score already given is changed with the version read; the server says which.
      function put(extra) {
        return fetch(url, {
          method: "PUT", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "" },
          body: JSON.stringify(Object.assign({}, body, extra || {})),
        }).then(function (r) { return r.json().then(function (b) { if (!r.ok) { var e = new Error(b.error.message); e.body = b; e.status = r.status; throw e; } return b; }); });
      }
      put().catch(function (err) {
        if (err.status === 409 && err.body.version && window.confirm(gettext("此项已有评分，是否覆盖？"))) { return put({ version: err.body.version }); }
        throw err;
      }).then(function (b) {
        if (b) { $("score-status").textContent = interpolate(gettext("已保存：%s %s 分"), [c ? c.name : code, b.points]); load(); }
      }).catch(function (err) { $("score-status").textContent = err.message; });
    });
  }
  load();
})();
