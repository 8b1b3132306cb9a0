// Staff map and tables: facility-ratio choropleth, walking reach, pairings, reporting members.
(function () {
  "use strict";
  var t = W.t, esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var layers = {
    ratio: L.featureGroup(), reach: L.featureGroup(), pairings: L.featureGroup(),
    members: L.featureGroup(), proposal: L.featureGroup(), uncovered: L.featureGroup(),
  };
  var overlays = {};
  overlays[gettext("每百户面积")] = layers.ratio; overlays[gettext("步行可达范围")] = layers.reach;
  overlays[gettext("结对共建")] = layers.pairings; overlays[gettext("报到党员")] = layers.members;
  overlays[gettext("结对方案（待审）")] = layers.proposal; overlays[gettext("未覆盖小区")] = layers.uncovered;
  var map = W.makeMap($("map"), { zoom: 12, overlays: overlays, onShift: function () { load(); } });
  if (!map._controlCorners.topright.querySelector(".leaflet-control-layers")) {
    // Open on a desktop; on a phone the open list would cover most of the map.
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 700px)").matches }).addTo(map);
  }
  Object.keys(layers).forEach(function (k) { if (k !== "reach") { layers[k].addTo(map); } });
  var BREAKS = [0, 10, 20, 30, 45], COLOURS = ["#b71c1c", "#ef6c00", "#fdd835", "#9ccc65", "#2e7d32"];
  function ratioColour(v) {
    if (v == null) { return "#bdbdbd"; }
    var c = COLOURS[0];
    BREAKS.forEach(function (b, i) { if (v >= b) { c = COLOURS[i]; } });
    return c;
  }
  // One legend per thematic layer, shown while its layer is on.
  var REACH_COLOURS = ["#00695c", "#26a69a", "#80cbc4", "#b2dfdb"];
  var legends = {
    ratio: [gettext("每百户面积 m²"), BREAKS.map(function (b, i) {
      return { fill: COLOURS[i], stroke: "#424242", label: i + 1 < BREAKS.length ? b + "–" + BREAKS[i + 1] : "≥ " + b };
    }).concat([{ fill: "#bdbdbd", stroke: "#424242", label: gettext("无户数") }])],
    pairings: [gettext("结对共建"), [
      { line: true, stroke: "#283593", width: 2, label: gettext("已确认或已签约") },
      { line: true, stroke: "#8e24aa", width: 2, dash: true, label: gettext("建议") }]],
    members: [gettext("报到党员"), [
      { circle: true, fill: "#1565c0", label: gettext("未超上限（圆越大人数越多）") },
      { circle: true, fill: "#b71c1c", label: gettext("超过上限") }]],
    uncovered: [gettext("未覆盖小区"), [{ circle: true, fill: "#ff8a80", stroke: "#d50000", label: gettext("步行范围外的小区") }]],
    reach: [gettext("步行可达范围"), []],
  };
  var shown = {};
  function showLegend(key) {
    if (shown[key]) { map.removeControl(shown[key]); }
    var spec = legends[key];
    // The choropleth's and the reach bands' legends open; the others one tap away.
    shown[key] = spec[1].length ? W.legend(map, spec[1], spec[0], key === "ratio" || key === "reach") : null;
    if (shown[key] && key === "ratio") { shown[key].getContainer().id = "legend"; }
  }
  function hideLegend(key) { if (shown[key]) { map.removeControl(shown[key]); shown[key] = null; } }
  map.on("overlayadd", function (e) {
    if (e.layer === layers.reach) { loadReach(); }
    Object.keys(layers).forEach(function (k) { if (layers[k] === e.layer && legends[k]) { showLegend(k); } });
  });
  // The reach areas of the chosen scope, fetched once per scope when the layer is first on.
  var reachScope = null;
  function loadReach() {
    var scope = $("scope").value;
    if (reachScope === scope) { return; }
    reachScope = scope;
    $("reach-status").textContent = gettext("正在计算步行可达范围…");
    W.getJSON(W.url("coverage", {}, { areas: 1, level: "district", scope: scope })).then(function (res) {
      if (reachScope !== scope) { return; }
      // Distinct colours per reach, nearest darkest, drawn largest first so the bands nest.
      var reaches = res.reaches_m.slice().sort(function (a, b) { return a - b; });
      var colourOf = function (m) { return REACH_COLOURS[Math.min(reaches.indexOf(m), REACH_COLOURS.length - 1)]; };
      var bands = { type: "FeatureCollection", features: res.reach_areas.features.slice().sort(function (a, b) { return b.properties.reach_m - a.properties.reach_m; }) };
      layers.reach.clearLayers();
      W.geoJSON(bands, { style: function (f) { return { color: colourOf(f.properties.reach_m), weight: 1, fillColor: colourOf(f.properties.reach_m), fillOpacity: 0.3 }; } }).addTo(layers.reach);
      legends.reach[1] = reaches.map(function (m) { return { fill: colourOf(m), stroke: colourOf(m), label: gettext("步行") + " " + m + " m" }; });
      if (map.hasLayer(layers.reach)) { showLegend("reach"); }
      $("reach-status").textContent = "";
    }).catch(function (err) {
      reachScope = null;
      $("reach-status").textContent = gettext("步行可达范围计算失败：") + err.message;
    });
  }
  map.on("overlayremove", function (e) { Object.keys(layers).forEach(function (k) { if (layers[k] === e.layer) { hideLegend(k); } }); });
  ["ratio", "pairings", "members", "uncovered"].forEach(showLegend);

  var rows = [], sortKey = "code", sortDir = 1, proposal = null;
  var COLS = [["code", gettext("代码")], ["name", gettext("社区")], ["households", gettext("户数")], ["floor_area_m2", gettext("面积 m²")],
    ["m2_per_100_households", gettext("每百户 m²")], ["shortfall_m2", gettext("缺口 m²")], ["reach", gettext("500米内户数占比")], ["members", gettext("报到党员")]];

  function table() {
    var f = $("filter").value.trim();
    var view = rows.filter(function (r) { return !f || r.name.indexOf(f) >= 0 || r.code.indexOf(f) === 0; });
    view.sort(function (a, b) { var x = a[sortKey], y = b[sortKey]; return (x > y ? 1 : x < y ? -1 : 0) * sortDir; });
    $("table-communities").innerHTML = "<thead><tr>" + COLS.map(function (c) {
      return '<th data-key="' + c[0] + '" class="sortable">' + c[1] + (sortKey === c[0] ? (sortDir > 0 ? " ▲" : " ▼") : "") + "</th>";
    }).join("") + "</tr></thead><tbody>" + view.map(function (r) {
      return '<tr data-code="' + esc(r.code) + '" class="' + (r.meets ? "" : "breach") + '">' + COLS.map(function (c) {
        var v = r[c[0]];
        if (c[0] === "reach") { v = v == null ? "—" : (v * 100).toFixed(1) + "%"; }
        else if (c[0] === "m2_per_100_households" || c[0] === "shortfall_m2") { v = v == null ? null : v.toFixed(1); }
        else if (typeof v === "number") { v = Math.round(v * 10) / 10; }
        return "<td" + (c[0] === "members" && r.over_cap ? ' class="breach"' : "") + ">" + esc(v == null ? "—" : v) + "</td>";
      }).join("") + "</tr>";
    }).join("") + "</tbody>";
    $("table-communities").dataset.rows = String(view.length);
  }
  $("table-communities").addEventListener("click", function (e) {
    var th = e.target.closest("th");
    if (th) { sortDir = sortKey === th.dataset.key ? -sortDir : 1; sortKey = th.dataset.key; table(); return; }
    var tr = e.target.closest("tr[data-code]");
    if (!tr) { return; }
    // The row's community: framed on the map, its popup open, the row marked as the one shown.
    Array.prototype.forEach.call(this.querySelectorAll("tr.selected"), function (r) { r.classList.remove("selected"); });
    tr.classList.add("selected");
    // (layers.ratio holds the choropleth's GeoJSON layer; the communities are its children)
    layers.ratio.eachLayer(function (group) {
      (group.eachLayer ? group : L.layerGroup([group])).eachLayer(function (l) {
        if (l.feature && l.feature.properties.code === tr.dataset.code) {
          map.fitBounds(l.getBounds(), { padding: [30, 30], maxZoom: 16, animate: false });
          l.openPopup(l.getBounds().getCenter());
        }
      });
    });
  });
  // More room for the table (every column visible, names on one line); the map narrows.
  $("widen").addEventListener("click", function () {
    var wide = document.querySelector(".reports").classList.toggle("wide-table");
    this.setAttribute("aria-pressed", String(wide));
    this.textContent = wide ? gettext("收起表格") : gettext("展开表格");
    map.invalidateSize();
  });
  $("filter").addEventListener("input", table);

  function load() {
    var scope = $("scope").value;
    Object.keys(layers).forEach(function (k) { layers[k].clearLayers(); });
    $("summary").textContent = gettext("正在计算…");
    return Promise.all([
      W.getJSON(W.url("communities", {}, { page_size: 2000, code: scope })),
      W.getJSON(W.url("facility", {}, { scope: scope })),
      // Shares and uncovered compounds now; the reach areas (a city district's take half a
      // minute) only when their layer is switched on.
      W.getJSON(W.url("coverage", {}, { level: "community", scope: scope })).catch(function () { return null; }),
      W.getJSON(W.url("members", {}, { scope: scope })),
    ]).then(function (res) {
      var geo = res[0], ratio = {}, cov = {}, mem = {};
      res[1].communities.forEach(function (r) { ratio[r.code] = r; });
      if (res[2]) { res[2].levels.community.forEach(function (r) { cov[r.code] = r; }); }
      res[3].communities.forEach(function (r) { mem[r.code] = r; });
      rows = geo.features.map(function (f) {
        var p = f.properties, r = ratio[p.code] || {}, c = cov[p.code] || {}, m = mem[p.code] || {};
        return { code: p.code, name: p.name, households: p.households, floor_area_m2: r.floor_area_m2, m2_per_100_households: r.m2_per_100_households,
          shortfall_m2: r.shortfall_m2, meets: r.meets, reach: c.within_500m, members: m.members, over_cap: m.over_cap };
      });
      var byCode = {}; rows.forEach(function (r) { byCode[r.code] = r; });
      var choro = W.geoJSON(geo, {
        style: function (f) { var r = byCode[f.properties.code]; return { color: "#555", weight: 1, fillColor: ratioColour(r.m2_per_100_households), fillOpacity: 0.65, className: "ratio-shape" }; },
        onEachFeature: function (f, l) {
          var r = byCode[f.properties.code];
          l.bindPopup("<b>" + esc(r.name) + "</b><br>" + gettext("每百户") + " " + (r.m2_per_100_households == null ? "—" : r.m2_per_100_households.toFixed(1)) + " m²<br>" + gettext("缺口") + " " + Math.round(r.shortfall_m2 || 0) + " m²");
        },
      }).addTo(layers.ratio);
      if (choro.getBounds().isValid()) { map.wanggeFramed = true; map.fitBounds(choro.getBounds()); }
      $("map").dataset.choropleth = String(geo.features.length);
      geo.features.forEach(function (f) {
        var r = byCode[f.properties.code];
        if (!r.members) { return; }
        var center = L.geoJSON(f).getBounds().getCenter();
        L.circleMarker(W.shiftActive ? W.toLatLng(center.lng, center.lat) : center, { radius: 4 + Math.sqrt(r.members), color: r.over_cap ? "#b71c1c" : "#1565c0", fillOpacity: 0.5, weight: 1 })
          .bindTooltip(esc(r.name) + W.colon + r.members + gettext("名报到党员")).addTo(layers.members);
      });
      reachScope = null;
      if (map.hasLayer(layers.reach)) { loadReach(); }
      if (res[2]) {
        res[2].uncovered_compounds.forEach(function (c) {
          if (c.lon == null) { return; }
          L.circleMarker(W.toLatLng(c.lon, c.lat), { radius: 6, color: "#d50000", weight: 2, fillColor: "#ff8a80", fillOpacity: 0.7, className: "uncovered-compound" })
            .bindTooltip(esc(c.name) + W.colon + c.households + " " + gettext("户") + W.comma + gettext("最近中心") + " " + (c.distance_m == null ? gettext("不可达") : Math.round(c.distance_m) + " m"))
            .addTo(layers.uncovered);
        });
        $("table-uncovered").innerHTML = "<thead><tr><th>" + gettext("小区") + "</th><th>" + gettext("社区") + "</th><th>" + gettext("户数") + "</th><th>" + gettext("最近中心步行距离 m") + "</th></tr></thead><tbody>" +
          res[2].uncovered_compounds.map(function (c) { return "<tr><td>" + esc(c.name) + "</td><td>" + esc(c.community || "") + "</td><td>" + c.households + "</td><td>" + (c.distance_m == null ? "—" : Math.round(c.distance_m)) + "</td></tr>"; }).join("") + "</tbody>";
      }
      layers.pairings.addLayer(new W.VectorTiles({ layers: [{ name: "pairings", style: function (p) {
        return { stroke: p.status === "proposed" ? "#8e24aa" : "#283593", width: 2, dash: p.status === "proposed" ? [4, 4] : null };
      } }] }));
      var meets = rows.filter(function (r) { return r.meets; }).length;
      $("summary").innerHTML = "<b>" + rows.length + "</b> " + gettext("个社区") + W.comma + "<b>" + meets + "</b> " + gettext("个达到面积标准") +
        (res[2] ? gettext("；") + gettext("500米内覆盖户数") + " <b>" + ((res[2].levels.district[0] || {}).within_500m * 100 || 0).toFixed(1) + "%</b>" : "") +
        gettext("；") + gettext("规则") + " " + esc(res[1].profile_title);
      table();
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  // A proposal belongs to the scope it was computed for: another scope clears it.
  $("scope").addEventListener("change", function () {
    proposal = null; layers.proposal.clearLayers(); $("save-pairing").disabled = true;
    $("pairing-summary").textContent = ""; $("table-pairing").innerHTML = "";
  });

  document.querySelectorAll(".tabs button[data-tab]").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".tabs button[data-tab]").forEach(function (x) { x.classList.toggle("active", x === b); });
      document.querySelectorAll(".tab").forEach(function (x) { x.hidden = x.id !== "tab-" + b.dataset.tab; });
    });
  });
  $("run-pairing").addEventListener("click", function () {
    $("pairing-summary").textContent = gettext("正在计算…");
    W.getJSON(W.url("pairing", {}, { metric: "walk", scope: $("scope").value })).then(function (res) {
      proposal = res; layers.proposal.clearLayers();
      res.pairings.forEach(function (p) {
        L.polyline([W.toLatLng(p.from[0], p.from[1]), W.toLatLng(p.to[0], p.to[1])], { color: p.locked ? "#283593" : "#d81b60", weight: 2, className: "proposal-line" })
          .bindTooltip(esc(p.unit) + " → " + esc(p.community) + " (" + Math.round(p.distance_m) + " m)").addTo(layers.proposal);
      });
      // Show the whole proposal, wherever the map was.
      if (res.pairings.length) { map.fitBounds(layers.proposal.getBounds().pad(0.05), { animate: false }); }
      var s = res.summary, g = res.greedy;
      // The greedy plan is often shorter: it is so because it breaks the rules the optimum
      // keeps. Say which, with numbers, so the optimum does not look worse.
      var broken = function (x) {
        var parts = [];
        if (x.communities_without_unit) { parts.push(x.communities_without_unit + " " + gettext("个社区没有共建单位")); }
        if (x.communities_under_min) { parts.push(x.communities_under_min + " " + gettext("个社区低于下限")); }
        if (x.communities_over_cap) { parts.push(x.communities_over_cap + " " + gettext("个社区超过上限")); }
        return parts.length ? parts.join(W.comma) : gettext("不违反规则");
      };
      $("pairing-summary").innerHTML = "<b>" + gettext("最优方案") + "</b>" + W.colon + res.pairings.length + " " + gettext("对") + W.comma + gettext("总距离") + " " + (s.total_m / 1000).toFixed(1) + " km" + W.comma + broken(s) + gettext("。") + "<br>" +
        gettext("对照：就近贪心") + " " + (g.total_m / 1000).toFixed(1) + " km" + W.comma + broken(g) + gettext("。");
      $("table-pairing").innerHTML = "<thead><tr><th>" + gettext("共建单位") + "</th><th>" + gettext("社区") + "</th><th>" + gettext("距离 m") + "</th><th>" + gettext("状态") + "</th></tr></thead><tbody>" +
        res.pairings.map(function (p) { return "<tr><td>" + esc(p.unit) + "</td><td>" + esc(p.community) + "</td><td>" + Math.round(p.distance_m) + "</td><td>" + (p.locked ? gettext("已确认") : gettext("建议")) + "</td></tr>"; }).join("") + "</tbody>";
      $("save-pairing").disabled = false;
    }).catch(function (err) { $("pairing-summary").textContent = gettext("无法计算") + W.colon + err.message; });
  });
  $("save-pairing").addEventListener("click", function () {
    if (!proposal) { return; }
    W.postJSON(W.url("pairing_save"), { scope: proposal.scope, metric: proposal.metric, fingerprint: proposal.fingerprint }).then(function (res) {
      $("pairing-summary").textContent = gettext("已保存建议结对") + " " + res.saved + " " + gettext("对");
      $("save-pairing").disabled = true; load();
    }).catch(function (err) { $("pairing-summary").textContent = gettext("保存失败") + W.colon + err.message; });
  });
  load();

  // Report downloads run as background jobs: the worker makes the file while the page shows
  // its progress; the file stays on the jobs page if the page is closed meanwhile.
  function setExporting(on) {
    document.querySelectorAll("#export button").forEach(function (x) { x.disabled = on; });
    $("export-progress").hidden = !on;
  }
  function follow(job) {
    var bar = $("export-progress"), status = $("export-status");
    bar.max = Math.max(job.total, 1); bar.value = job.done;
    if (job.status === "queued") { status.textContent = gettext("排队中…"); }
    if (job.status === "running") {
      status.textContent = interpolate(gettext("正在生成报告（%s/%s）…"), [job.done, job.total]) + (job.phase_label ? " " + job.phase_label : "");
    }
    if (job.status === "done") {
      var a = document.createElement("a");
      a.href = job.download; a.download = job.filename;
      document.body.appendChild(a); a.click(); a.remove();
      status.textContent = gettext("已生成") + " " + job.filename;
      setExporting(false);
      return;
    }
    if (job.status === "failed" || job.status === "cancelled") {
      status.textContent = gettext("生成失败：") + (job.message || job.status_label);
      setExporting(false);
      return;
    }
    setTimeout(function () {
      W.getJSON(W.url("job", { id: job.id })).then(function (body) { follow(body.job); })
        .catch(function (err) { status.textContent = gettext("暂时无法刷新：") + err.message; setTimeout(function () { follow(job); }, 4000); });
    }, 1000);
  }
  document.querySelectorAll("#export button[data-format]").forEach(function (b) {
    b.addEventListener("click", function () {
      setExporting(true); $("export-progress").removeAttribute("value");
      $("export-status").textContent = gettext("正在提交…");
      W.postForm(W.url("report_job"), { scope: $("scope").value, format: b.dataset.format })
        .then(function (body) { follow(body.job); })
        .catch(function (err) {
          $("export-status").textContent = gettext("生成失败：") + err.message;
          setExporting(false);
        });
    });
  });
})();
