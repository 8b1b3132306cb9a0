// 三张清单: communities' needs (circles by how much is covered), units' resources (squares),
// projects as lines; the optimal matching beside the greedy baseline, saved for review.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var needLayer = L.featureGroup(), resLayer = L.featureGroup(), projLayer = L.featureGroup(), propLayer = L.featureGroup();
  var overlays = {};
  overlays[gettext("需求")] = needLayer; overlays[gettext("资源")] = resLayer;
  overlays[gettext("项目")] = projLayer; overlays[gettext("匹配建议")] = propLayer;
  var map = W.makeMap($("map"), { zoom: 13, overlays: overlays, onShift: function () { load(); } });
  if (!map._controlCorners.topright.querySelector(".leaflet-control-layers")) {
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 700px)").matches }).addTo(map);
  }
  [needLayer, resLayer, projLayer, propLayer].forEach(function (g) { g.addTo(map); });
  var COVER = { full: "#2e7d32", part: "#f9a825", none: "#c62828", closed: "#9e9e9e" };
  var LINE = { proposed: "#6a1b9a", agreed: "#1565c0", done: "#2e7d32" };
  var legend = W.legend(map, [
    { circle: true, fill: COVER.full, label: gettext("需求已全部立项") },
    { circle: true, fill: COVER.part, label: gettext("需求部分立项") },
    { circle: true, fill: COVER.none, label: gettext("需求尚未立项") },
    { fill: "#1565c0", stroke: "#fff", label: gettext("共建单位的资源") },
    { line: true, stroke: LINE.done, label: gettext("已完成的项目") },
    { line: true, stroke: LINE.agreed, label: gettext("已立项的项目") },
    { line: true, stroke: LINE.proposed, dash: true, label: gettext("待审核或建议的项目") },
  ], gettext("三张清单"), true);
  legend.getContainer().id = "legend";

  var data = null, proposal = null;
  function scopeYear() { return { scope: $("scope").value, year: $("year").value }; }
  function cover(n) { return n.status === "closed" ? "closed" : n.held >= n.quantity ? "full" : n.held > 0 ? "part" : "none"; }
  function line(from, to, colour, dashed, tip, group) {
    return L.polyline([W.toLatLng(from[0], from[1]), W.toLatLng(to[0], to[1])], { color: colour, weight: 3, opacity: 0.85, dashArray: dashed ? "6 6" : null, className: "project-line" })
      .bindTooltip(tip).addTo(group);
  }
  function draw() {
    needLayer.clearLayers(); resLayer.clearLayers(); projLayer.clearLayers();
    data.projects.forEach(function (p) {
      if (p.status === "rejected") { return; }
      line(p.from, p.to, LINE[p.status], p.status === "proposed", esc(p.unit) + " → " + esc(p.community_name) + W.colon + esc(p.need) + " · " + esc(p.status_label), projLayer);
    });
    data.resources.forEach(function (r) {
      L.marker(W.toLatLng(r.lon, r.lat), { icon: L.divIcon({ className: "resource-marker", html: "<span></span>", iconSize: [12, 12] }) })
        .bindTooltip(esc(r.unit) + W.colon + esc(r.title) + " · " + esc(r.kind_label) + " " + r.taken + "/" + r.capacity).addTo(resLayer);
    });
    data.needs.forEach(function (n) {
      L.circleMarker(W.toLatLng(n.lon, n.lat), { radius: 7, color: "#fff", weight: 2, fillColor: COVER[cover(n)], fillOpacity: 0.9, className: "need-marker" })
        .bindTooltip(esc(n.community_name) + W.colon + esc(n.title) + " · " + esc(n.kind_label) + " " + n.held + "/" + n.quantity).addTo(needLayer);
    });
    var all = L.featureGroup([needLayer, resLayer]);
    if (all.getBounds().isValid() && !map.wanggeFramed) { map.wanggeFramed = true; map.fitBounds(all.getBounds().pad(0.1)); }
    $("map").dataset.needs = String(data.needs.length);
  }
  function tables() {
    var canNeed = !!$("need-form"), canRes = !!$("resource-form");
    $("table-needs").innerHTML = "<thead><tr><th>" + [gettext("社区"), gettext("类别"), gettext("需求"), gettext("已立项/数量"), gettext("状态")].map(esc).join("</th><th>") + "</th>" + (canNeed ? "<th></th>" : "") + "</tr></thead><tbody>" +
      data.needs.map(function (n) {
        return "<tr class=\"" + cover(n) + "\"><td>" + esc(n.community_name) + "</td><td>" + esc(n.kind_label) + "</td><td>" + esc(n.title) + "</td><td>" + n.held + " / " + n.quantity + "</td><td>" + esc(n.status_label) + "</td>" +
          (canNeed ? "<td>" + (n.status === "open" ? "<button type=\"button\" class=\"close-need\" data-id=\"" + esc(n.id) + "\" data-version=\"" + esc(n.version) + "\">" + esc(gettext("关闭")) + "</button>" : "") + "</td>" : "") + "</tr>";
      }).join("") + "</tbody>";
    $("table-resources").innerHTML = "<thead><tr><th>" + [gettext("共建单位"), gettext("类别"), gettext("资源"), gettext("已立项/可提供"), gettext("期间")].map(esc).join("</th><th>") + "</th>" + (canRes ? "<th></th>" : "") + "</tr></thead><tbody>" +
      data.resources.map(function (r) {
        return "<tr" + (r.active ? "" : " class=\"closed\"") + "><td>" + esc(r.unit) + "</td><td>" + esc(r.kind_label) + "</td><td>" + esc(r.title) + "</td><td>" + r.taken + " / " + r.capacity + "</td><td>" + esc(r.available_from) + " – " + esc(r.available_until) + "</td>" +
          (canRes ? "<td>" + (r.active ? "<button type=\"button\" class=\"withdraw\" data-id=\"" + esc(r.id) + "\" data-version=\"" + esc(r.version) + "\">" + esc(gettext("撤下")) + "</button>" : esc(gettext("已撤下"))) + "</td>" : "") + "</tr>";
      }).join("") + "</tbody>";
    var review = $("table-projects").dataset.canReview === "1";
    function acts(p) {
      if (!review) { return ""; }
      var moves = p.status === "proposed" ? [["agreed", gettext("立项")], ["rejected", gettext("不采纳")]] : p.status === "agreed" ? [["done", gettext("完成")], ["rejected", gettext("不采纳")]] : [];
      return moves.map(function (m) { return "<button type=\"button\" class=\"advance\" data-to=\"" + m[0] + "\" data-id=\"" + esc(p.id) + "\" data-version=\"" + esc(p.version) + "\">" + esc(m[1]) + "</button>"; }).join(" ");
    }
    $("table-projects").innerHTML = "<thead><tr><th>" + [gettext("社区"), gettext("需求"), gettext("共建单位"), gettext("资源"), gettext("数量"), gettext("步行（米）"), gettext("状态"), gettext("进展")].map(esc).join("</th><th>") + "</th>" + (review ? "<th></th>" : "") + "</tr></thead><tbody>" +
      data.projects.map(function (p) {
        return "<tr><td>" + esc(p.community_name) + "</td><td>" + esc(p.need) + "</td><td>" + esc(p.unit) + (p.paired ? " <span class=\"hint\">" + esc(gettext("结对")) + "</span>" : "") + "</td><td>" + esc(p.resource) + "</td><td>" + p.quantity + "</td><td>" + (p.distance_m == null ? "—" : Math.round(p.distance_m)) + "</td><td>" + esc(p.status_label) + "</td><td class=\"note\">" + esc(p.note) + "</td>" + (review ? "<td>" + acts(p) + "</td>" : "") + "</tr>";
      }).join("") + "</tbody>";
  }
  function load() {
    $("summary").textContent = gettext("正在加载…");
    return Promise.all([
      W.getJSON(W.url("list_needs", {}, scopeYear())),
      W.getJSON(W.url("list_resources", {}, scopeYear())),
      W.getJSON(W.url("list_projects", {}, scopeYear())),
    ]).then(function (res) {
      data = { needs: res[0].needs, resources: res[1].resources, projects: res[2].projects };
      var open = data.needs.filter(function (n) { return n.status === "open"; });
      var wanted = open.reduce(function (s, n) { return s + n.quantity; }, 0);
      var held = open.reduce(function (s, n) { return s + Math.min(n.held, n.quantity); }, 0);
      var done = data.projects.filter(function (p) { return p.status === "done"; }).length;
      var waiting = data.projects.filter(function (p) { return p.status === "proposed"; }).length;
      $("summary").textContent = interpolate(gettext("%s 年：需求 %s 项（数量 %s），已立项满足 %s；资源 %s 项；项目已完成 %s 个，待审核 %s 个。"),
        [res[0].year, open.length, wanted, held, data.resources.length, done, waiting]);
      draw(); tables();
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); map.wanggeFramed = false; proposal = null; propLayer.clearLayers(); load(); });
  W.tabs();

  // Matching: the optimum beside the greedy baseline; saving sends the fingerprint reviewed.
  function compareRow(label, s) {
    return "<tr><th>" + esc(label) + "</th><td>" + s.met + " / " + s.demand + "</td><td>" + s.needs_met + "</td><td>" + s.needs_partly_met + "</td><td>" + s.needs_unmet + "</td><td>" + s.from_paired + "</td><td>" + Math.round(s.mean_m) + "</td><td>" + Math.round(s.max_m) + "</td></tr>";
  }
  function match(commit) {
    var body = scopeYear();
    body.year = Number(body.year);
    if (commit) { body.commit = true; body.fingerprint = proposal.fingerprint; }
    $("match-status").textContent = gettext("正在计算…");
    return W.postJSON(W.url("list_match"), body).then(function (out) {
      proposal = out;
      propLayer.clearLayers();
      if (commit) {
        $("match-status").textContent = interpolate(gettext("已保存 %s 个待审核项目；请在“项目清单”中审核。"), [out.saved]);
        $("table-proposals").innerHTML = ""; $("table-compare").innerHTML = ""; $("match-unmet").innerHTML = "";
        if ($("match-save")) { $("match-save").disabled = true; }
        load();
        return;
      }
      out.proposals.forEach(function (p) { line(p.from, p.to, LINE.proposed, true, esc(p.unit) + " → " + esc(p.community) + W.colon + esc(p.need), propLayer); });
      $("match-status").textContent = out.empty || interpolate(out.metric === "walk" ? gettext("按步行距离：建议 %s 项，满足数量 %s / %s。") : gettext("没有路网，按直线距离：建议 %s 项，满足数量 %s / %s。"),
        [out.proposals.length, out.summary.met, out.summary.demand]);
      $("table-compare").innerHTML = "<thead><tr><th></th>" + [gettext("满足数量"), gettext("全部满足的需求"), gettext("部分满足"), gettext("未满足"), gettext("来自结对单位"), gettext("平均步行（米）"), gettext("最远（米）")].map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") +
        "</tr></thead><tbody>" + compareRow(gettext("最优匹配"), out.summary) + compareRow(gettext("就近贪心"), out.greedy) + "</tbody>";
      $("match-unmet").innerHTML = out.unmet.map(function (u) { return "<li>" + esc(u) + "</li>"; }).join("");
      $("table-proposals").innerHTML = "<thead><tr><th>" + [gettext("社区"), gettext("需求"), gettext("共建单位"), gettext("资源"), gettext("数量"), gettext("步行（米）")].map(esc).join("</th><th>") + "</th></tr></thead><tbody>" +
        out.proposals.map(function (p) {
          return "<tr><td>" + esc(p.community) + "</td><td>" + esc(p.need) + "</td><td>" + esc(p.unit) + (p.paired ? " <span class=\"hint\">" + esc(gettext("结对")) + "</span>" : "") + "</td><td>" + esc(p.resource) + "</td><td>" + p.quantity + "</td><td>" + Math.round(p.distance_m) + "</td></tr>";
        }).join("") + "</tbody>";
      if ($("match-save")) { $("match-save").disabled = !out.proposals.length; }
    }).catch(function (err) { $("match-status").textContent = err.message; });
  }
  $("match-run").addEventListener("click", function () { match(false); });
  if ($("match-save")) { $("match-save").addEventListener("click", function () { if (proposal) { match(true); } }); }

  // Reviewing projects: agree, reject, or finish with a note of what was achieved.
  $("table-projects").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.advance");
    if (!b) { return; }
    var note = "";
    if (b.dataset.to === "done") {
      note = window.prompt(gettext("写明项目成效：")) || "";
      if (!note.trim()) { return; }
    }
    W.postJSON(W.url("list_project_advance", { id: b.dataset.id }), { to: b.dataset.to, note: note, version: Number(b.dataset.version) }).then(function (p) {
      $("project-status").textContent = interpolate(gettext("已改为：%s"), [p.status_label]); load();
    }).catch(function (err) { $("project-status").textContent = err.message; });
  });

  var today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  var nform = $("need-form");
  if (nform) {
    nform.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { community: nform.elements.community.value, year: Number($("year").value), kind: nform.elements.kind.value, title: nform.elements.title.value, quantity: Number(nform.elements.quantity.value), detail: nform.elements.detail.value };
      W.postJSON(W.url("list_needs"), body).then(function (n) {
        $("need-status").textContent = interpolate(gettext("已登记：%s"), [n.title]); nform.reset(); load();
      }).catch(function (err) { $("need-status").textContent = err.message; });
    });
    $("table-needs").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.close-need");
      if (!b || !window.confirm(gettext("关闭这项需求？尚未审核的建议随之删除。"))) { return; }
      W.postJSON(W.url("list_need_close", { id: b.dataset.id }), { version: Number(b.dataset.version) }).then(function () {
        $("need-status").textContent = gettext("已关闭"); load();
      }).catch(function (err) { $("need-status").textContent = err.message; });
    });
  }
  var rform = $("resource-form");
  if (rform) {
    var y = $("year").value;
    rform.elements.available_from.value = y + "-01-01" < today ? today : y + "-01-01";
    rform.elements.available_until.value = y + "-12-31";
    rform.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { unit: Number(rform.elements.unit.value), kind: rform.elements.kind.value, title: rform.elements.title.value, capacity: Number(rform.elements.capacity.value), available_from: rform.elements.available_from.value, available_until: rform.elements.available_until.value };
      W.postJSON(W.url("list_resources"), body).then(function (r) {
        $("resource-status").textContent = interpolate(gettext("已登记：%s"), [r.title]); rform.elements.title.value = ""; load();
      }).catch(function (err) { $("resource-status").textContent = err.message; });
    });
    $("table-resources").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.withdraw");
      if (!b || !window.confirm(gettext("撤下这项资源？尚未审核的建议随之删除。"))) { return; }
      W.postJSON(W.url("list_resource_withdraw", { id: b.dataset.id }), { version: Number(b.dataset.version) }).then(function () {
        $("resource-status").textContent = gettext("已撤下"); load();
      }).catch(function (err) { $("resource-status").textContent = err.message; });
    });
  }
  var imp = $("import-form");
  if (imp) { W.sheetUpload(imp, function () { return imp.elements.kind.value; }, $("import-status"), $("table-problems"), load); }
  load();
})();
