// Posts, social workers and funds of a year, street party staff, and 挂点 leaders: a map of
// who meets the standards and who has a leader, tables, forms and sheet imports.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var status = L.featureGroup(), linked = L.featureGroup();
  var overlays = {};
  overlays[gettext("人员经费达标情况")] = status; overlays[gettext("挂点领导")] = linked;
  var map = W.makeMap($("map"), { zoom: 12, overlays: overlays, onShift: function () { load(); } });
  if (!map._controlCorners.topright.querySelector(".leaflet-control-layers")) {
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 700px)").matches }).addTo(map);
  }
  status.addTo(map); linked.addTo(map);
  var COLOURS = { ok: "#2e7d32", short: "#c62828", none: "#bdbdbd" };
  var legend = W.legend(map, [
    { fill: COLOURS.ok, stroke: "#424242", label: gettext("全部达标") },
    { fill: COLOURS.short, stroke: "#424242", label: gettext("有缺口") },
    { fill: COLOURS.none, stroke: "#424242", label: gettext("未填报") },
    { line: true, stroke: "#1a237e", width: 3, label: gettext("有挂点领导") },
  ], gettext("人员经费与挂点领导"), true);
  legend.getContainer().id = "legend";

  var staffing = null, leaders = null;
  function yuan(v) { return v == null ? "—" : (v / 10000).toFixed(1); }
  function state(c) { return !c.reported ? "none" : (c.ok ? "ok" : "short"); }
  function gaps(c) {
    var out = c.reported ? [] : [gettext("未填报")];
    if (c.posts_short) { out.push(interpolate(gettext("岗位缺 %s"), [c.posts_short])); }
    if (c.posts_over) { out.push(interpolate(gettext("岗位超 %s"), [c.posts_over])); }
    if (c.workers_short) { out.push(interpolate(gettext("社工缺 %s"), [c.workers_short])); }
    if (c.workers_over) { out.push(interpolate(gettext("社工超 %s"), [c.workers_over])); }
    if (c.funds_short_yuan) { out.push(interpolate(gettext("经费缺 %s 万元"), [yuan(c.funds_short_yuan)])); }
    if (c.centers_below_level) { out.push(interpolate(gettext("%s 个中心面积不足"), [c.centers_below_level])); }
    return out.join(gettext("；"));
  }
  function leaderNames(code) {
    return ((leaders && leaders.communities[code]) || []).map(function (l) { return interpolate(gettext("%s（%s）"), [l.leader.name, l.leader.position]); });
  }
  function tables() {
    var edit = !!$("staffing-form");
    $("table-communities").innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("户数")) + "</th><th>" + esc(gettext("设岗")) + "</th><th>" + esc(gettext("社工")) + "</th><th>" + esc(gettext("经费（万元）")) + "</th><th>" + esc(gettext("缺口")) + "</th>" + (edit ? "<th></th>" : "") + "</tr></thead><tbody>" +
      staffing.communities.map(function (c) {
        return "<tr data-code=\"" + esc(c.code) + "\" class=\"" + state(c) + "\"><td>" + esc(c.name) + "</td><td>" + c.households + "</td><td>" + (c.posts == null ? "—" : c.posts) + "</td><td>" + (c.social_workers == null ? "—" : c.social_workers) +
          "</td><td>" + yuan(c.funds_yuan) + " / " + yuan(c.funds_required_yuan) + "</td><td" + (c.ok ? "" : " class=\"breach\"") + ">" + esc(gaps(c) || gettext("达标")) + "</td>" +
          (edit ? "<td><button type=\"button\" class=\"edit\">" + esc(gettext("填报")) + "</button></td>" : "") + "</tr>";
      }).join("") + "</tbody>";
    $("table-streets").innerHTML = "<thead><tr><th>" + esc(gettext("街道")) + "</th><th>" + esc(gettext("党务工作人员")) + "</th><th>" + esc(gettext("已填报社区")) + "</th><th>" + esc(gettext("达标社区")) + "</th><th>" + esc(gettext("社区经费缺口（万元）")) + "</th></tr></thead><tbody>" +
      staffing.streets.map(function (s) {
        return "<tr><td>" + esc(s.name) + "</td><td" + (s.party_staff_short ? " class=\"breach\"" : "") + ">" + (s.party_staff == null ? gettext("未填报") : s.party_staff) + "</td><td>" + s.communities_reported + " / " + s.communities + "</td><td>" + s.communities_ok + "</td><td>" + yuan(s.funds_short_yuan) + "</td></tr>";
      }).join("") + "</tbody>";
    var canClose = !!$("link-form");
    $("table-leaders").innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("挂点领导")) + "</th><th>" + esc(gettext("开始日期")) + "</th>" + (canClose ? "<th></th>" : "") + "</tr></thead><tbody>" +
      staffing.communities.map(function (c) {
        var links = (leaders.communities[c.code] || []);
        if (!links.length) { return "<tr><td>" + esc(c.name) + "</td><td class=\"hint\">" + esc(gettext("无")) + "</td><td></td>" + (canClose ? "<td></td>" : "") + "</tr>"; }
        return links.map(function (l) {
          return "<tr><td>" + esc(c.name) + "</td><td>" + esc(l.leader.name) + " · " + esc(l.leader.position) + "</td><td>" + esc(l.since) + "</td>" +
            (canClose ? "<td><button type=\"button\" class=\"close-link\" data-id=\"" + esc(l.id) + "\" data-version=\"" + esc(l.version) + "\">" + esc(gettext("结束")) + "</button></td>" : "") + "</tr>";
        }).join("");
      }).join("") + "</tbody>";
    var form = $("link-form");
    if (form) {
      form.elements.community.innerHTML = staffing.communities.map(function (c) { return "<option value=\"" + esc(c.code) + "\">" + esc(c.name) + "</option>"; }).join("");
      form.elements.leader.innerHTML = "<option value=\"\">" + esc(gettext("（新领导）")) + "</option>" +
        leaders.leaders.map(function (l) { return "<option value=\"" + esc(l.id) + "\">" + esc(l.name + " · " + l.position) + "</option>"; }).join("");
    }
  }
  function load() {
    var scope = $("scope").value;
    $("summary").textContent = gettext("正在计算…");
    status.clearLayers(); linked.clearLayers();
    return Promise.all([
      W.getJSON(W.url("communities", {}, { page_size: 2000, code: scope })),
      W.getJSON(W.url("staffing", {}, { scope: scope, year: $("year").value })),
      W.getJSON(W.url("leaders", {}, { scope: scope })),
    ]).then(function (res) {
      var geo = res[0]; staffing = res[1]; leaders = res[2];
      var byCode = {}; staffing.communities.forEach(function (c) { byCode[c.code] = c; });
      var layer = W.geoJSON(geo, {
        style: function (f) { var c = byCode[f.properties.code]; return { color: "#555", weight: 1, fillColor: COLOURS[c ? state(c) : "none"], fillOpacity: 0.55, className: "staffing-shape" }; },
        onEachFeature: function (f, l) {
          var c = byCode[f.properties.code];
          if (!c) { return; }
          var names = leaderNames(c.code);
          l.bindPopup("<b>" + esc(c.name) + "</b><br>" + esc(gaps(c) || gettext("达标")) + "<br>" + esc(gettext("挂点领导")) + W.colon + esc(names.length ? names.join(gettext("、")) : gettext("无")));
        },
      }).addTo(status);
      W.geoJSON({ type: "FeatureCollection", features: geo.features.filter(function (f) { return leaderNames(f.properties.code).length; }) }, {
        style: function () { return { color: "#1a237e", weight: 3, fill: false, className: "leader-outline" }; },
        interactive: false,
      }).addTo(linked);
      if (layer.getBounds().isValid()) { map.wanggeFramed = true; map.fitBounds(layer.getBounds()); }
      $("map").dataset.choropleth = String(geo.features.length);
      var s = staffing.summary;
      var withLeader = staffing.communities.filter(function (c) { return leaderNames(c.code).length; }).length;
      $("summary").textContent = interpolate(gettext("%s 年：%s 个社区，已填报 %s 个，全部达标 %s 个；经费缺口合计 %s 万元；街道党务人员不足 %s 个；有挂点领导的社区 %s 个。"),
        [staffing.year, s.communities, s.reported, s.ok, yuan(s.funds_short_yuan), s.streets_party_staff_short, withLeader]);
      tables();
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  W.tabs();

  // Reporting a community's year: the row's figures and version go into the form.
  var sform = $("staffing-form"), editing = null;
  if (sform) {
    $("table-communities").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.edit");
      if (!b) { return; }
      editing = staffing.communities.filter(function (c) { return c.code === b.closest("tr").dataset.code; })[0];
      $("staffing-title").textContent = interpolate(gettext("%s · %s 年"), [editing.name, staffing.year]);
      sform.elements.posts.value = editing.posts == null ? "" : editing.posts;
      sform.elements.social_workers.value = editing.social_workers == null ? "" : editing.social_workers;
      sform.elements.funds_yuan.value = editing.funds_yuan == null ? "" : editing.funds_yuan;
      sform.hidden = false;
      sform.elements.posts.focus();
    });
    sform.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { posts: Number(sform.elements.posts.value), social_workers: Number(sform.elements.social_workers.value), funds_yuan: sform.elements.funds_yuan.value };
      if (editing.version) { body.version = editing.version; }
      fetch(W.url("staffing_community", { code: editing.code, year: staffing.year }), {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "" },
        body: JSON.stringify(body),
      }).then(function (r) {
        return r.json().then(function (b) { if (!r.ok) { throw new Error(b.error.message); } return b; });
      }).then(function () {
        $("staffing-status").textContent = interpolate(gettext("已保存：%s"), [editing.name]);
        sform.hidden = true; load();
      }).catch(function (err) { $("staffing-status").textContent = err.message; });
    });
  }

  // Linking a leader to a community, and ending a link (kept as history).
  var lform = $("link-form");
  if (lform) {
    lform.elements.since.max = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    lform.elements.leader.addEventListener("change", function () { $("new-leader").hidden = !!lform.elements.leader.value; });
    lform.addEventListener("submit", function (e) {
      e.preventDefault();
      var code = lform.elements.community.value;
      var body = { community: code, since: lform.elements.since.value };
      if (lform.elements.leader.value) { body.leader = Number(lform.elements.leader.value); } else {
        var level = lform.elements.level.value;
        body.new_leader = { name: lform.elements.name.value, position: lform.elements.position.value, level: level, district: code.slice(0, 6), street: level === "street" ? code.slice(0, 9) : "" };
      }
      W.postJSON(W.url("leader_links"), body).then(function (l) {
        $("link-status").textContent = interpolate(gettext("已挂点：%s → %s"), [l.leader.name, l.community_name]);
        load();
      }).catch(function (err) { $("link-status").textContent = err.message; });
    });
    $("table-leaders").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.close-link");
      if (!b || !window.confirm(gettext("结束这条挂点联系？结束后仍保留在历史中。"))) { return; }
      var today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
      W.postJSON(W.url("leader_link_close", { id: b.dataset.id }), { until: today, version: Number(b.dataset.version) }).then(function () {
        $("link-status").textContent = gettext("已结束"); load();
      }).catch(function (err) { $("link-status").textContent = err.message; });
    });
  }

  // Sheets: check first, then import; the problems listed by row.
  var imp = $("import-form");
  if (imp) { W.sheetUpload(imp, function () { return imp.elements.kind.value; }, $("import-status"), $("table-problems"), load); }
  load();
})();
