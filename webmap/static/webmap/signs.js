// Direction signs: each center, its stored signs by status and the plan's new sites on main
// roads, each an arrow turned the way to walk with a dashed line to the center; saving the
// plan, reviewing signs, and the procurement exports.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var centers = L.featureGroup(), signs = L.featureGroup();
  var overlays = {};
  overlays[gettext("服务中心")] = centers; overlays[gettext("指引牌")] = signs;
  var map = W.makeMap($("map"), { zoom: 14, overlays: overlays, onShift: function () { load(); } });
  if (!map._controlCorners.topright.querySelector(".leaflet-control-layers")) {
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 700px)").matches }).addTo(map);
  }
  centers.addTo(map); signs.addTo(map);
  var COLOURS = { plan: "#ef6c00", proposed: "#6a1b9a", approved: "#1565c0", installed: "#2e7d32" };
  var legend = W.legend(map, [
    { circle: true, fill: "#c62828", stroke: "#fff", label: gettext("可挂牌的服务中心") },
    { fill: COLOURS.plan, stroke: "#fff", label: gettext("新建议的指引牌（未保存）") },
    { fill: COLOURS.proposed, stroke: "#fff", label: gettext("待批准的指引牌") },
    { fill: COLOURS.approved, stroke: "#fff", label: gettext("已批准的指引牌") },
    { fill: COLOURS.installed, stroke: "#fff", label: gettext("已安装的指引牌") },
    { line: true, stroke: "#455a64", dash: true, width: 2, label: gettext("指引牌所指的中心") },
  ], gettext("指引牌"), true);
  legend.getContainer().id = "legend";

  var plan = null;
  var review = $("table-signs").dataset.canReview === "1";
  function query(output) { return W.url("signs", {}, { scope: $("scope").value, output: output }); }
  function mark(s, c, colour, status) {
    var here = W.toLatLng(s.lon, s.lat);
    L.polyline([here, W.toLatLng(c.lon, c.lat)], { color: "#455a64", weight: 2, dashArray: "4 6", opacity: 0.7, interactive: false }).addTo(signs);
    L.marker(here, { icon: L.divIcon({ className: "sign-marker", iconSize: [22, 22], html: "<span style=\"background:" + colour + "\"><i style=\"transform:rotate(" + Number(s.route_bearing_deg) + "deg)\">↑</i></span>" }) })
      .bindTooltip(esc(s.text) + "<br>" + esc(s.road) + " · " + esc(s.direction) + " · " + esc(status)).addTo(signs);
  }
  function acts(s) {
    if (!review) { return ""; }
    var moves = s.status === "proposed" ? [["approved", gettext("批准")], ["removed", gettext("撤除")]] : s.status === "approved" ? [["installed", gettext("记为已安装")], ["removed", gettext("撤除")]] : [["removed", gettext("撤除")]];
    return moves.map(function (m) { return "<button type=\"button\" class=\"advance\" data-to=\"" + m[0] + "\" data-id=\"" + esc(s.id) + "\" data-version=\"" + esc(s.version) + "\">" + esc(m[1]) + "</button>"; }).join(" ");
  }
  function row(c, s, status, buttons) {
    return "<tr><td>" + esc(c.name) + "</td><td>" + esc(status) + "</td><td>" + esc(s.road) + "</td><td>" + esc(s.direction) + "</td><td>" + s.walk_m + "</td><td>" + s.households + "</td><td>" + esc(s.text) + "</td>" + (review ? "<td>" + buttons + "</td>" : "") + "</tr>";
  }
  function load() {
    $("summary").textContent = gettext("正在计算…");
    $("export-csv").href = query("csv"); $("export-xlsx").href = query("xlsx");
    return W.getJSON(query("json")).then(function (out) {
      plan = out;
      centers.clearLayers(); signs.clearLayers();
      var rows = [], stored = 0;
      out.centers.forEach(function (c) {
        L.circleMarker(W.toLatLng(c.lon, c.lat), { radius: 8, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 0.95, className: "sign-center" })
          .bindTooltip(esc(c.name) + W.colon + esc(interpolate(gettext("服务 %s 户，指引牌引导 %s 户"), [c.households_served, c.households_guided]))).addTo(centers);
        c.stored.forEach(function (s) { stored += 1; mark(s, c, COLOURS[s.status], s.status_label); rows.push(row(c, s, s.status_label, acts(s))); });
        c.signs.forEach(function (s) { mark(s, c, COLOURS.plan, gettext("新建议（未保存）")); rows.push(row(c, s, gettext("新建议（未保存）"), "")); });
      });
      $("table-signs").innerHTML = "<thead><tr><th>" + [gettext("服务中心"), gettext("状态"), gettext("所在道路"), gettext("箭头方向"), gettext("步行（米）"), gettext("引导户数"), gettext("牌面文字")].map(esc).join("</th><th>") + "</th>" + (review ? "<th></th>" : "") + "</tr></thead><tbody>" + rows.join("") + "</tbody>";
      var served = out.centers.reduce(function (a, c) { return a + c.households_served; }, 0);
      var guided = out.centers.reduce(function (a, c) { return a + c.households_guided; }, 0);
      $("summary").textContent = interpolate(gettext("%s 个服务中心：已有指引牌 %s 块，新建议 %s 块；步行 %s 米内服务 %s 户，其中 %s 户的步行路线经过指引牌。"), [out.centers.length, stored, out.signs, out.reach_m, served, guided]);
      if ($("save-plan")) { $("save-plan").disabled = !out.signs; }
      var all = L.featureGroup([centers, signs]);
      if (all.getBounds().isValid() && !map.wanggeFramed) { map.wanggeFramed = true; map.fitBounds(all.getBounds().pad(0.1)); }
      $("map").dataset.signs = String(out.signs + stored);
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); map.wanggeFramed = false; load(); });
  if ($("save-plan")) {
    $("save-plan").addEventListener("click", function () {
      W.postJSON(W.url("signs_save"), { scope: $("scope").value, fingerprint: plan.fingerprint }).then(function (r) {
        $("sign-status").textContent = interpolate(gettext("已保存 %s 块待批准的指引牌。"), [r.saved]); load();
      }).catch(function (err) { $("sign-status").textContent = err.message; });
    });
  }
  $("table-signs").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.advance");
    if (!b) { return; }
    W.postJSON(W.url("sign_advance", { id: b.dataset.id }), { to: b.dataset.to, version: Number(b.dataset.version) }).then(function (s) {
      $("sign-status").textContent = interpolate(gettext("已改为：%s"), [s.status_label]); load();
    }).catch(function (err) { $("sign-status").textContent = err.message; });
  });
  var imp = $("import-form");
  if (imp) { W.sheetUpload(imp, "signs", $("import-status"), $("table-problems"), load); }
  load();
})();
