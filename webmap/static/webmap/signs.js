// Direction signs: each center and the sign sites on main roads that lead its households to
// it, an arrow turned the way to walk, a dashed line to the center; table and exports.
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
  var legend = W.legend(map, [
    { circle: true, fill: "#c62828", stroke: "#fff", label: gettext("可挂牌的服务中心") },
    { fill: "#1565c0", stroke: "#fff", label: gettext("指引牌（箭头为步行方向）") },
    { line: true, stroke: "#1565c0", dash: true, width: 2, label: gettext("指引牌所指的中心") },
  ], gettext("指引牌"), true);
  legend.getContainer().id = "legend";

  function query(output) { return W.url("signs", {}, { scope: $("scope").value, output: output }); }
  function load() {
    $("summary").textContent = gettext("正在计算…");
    $("export-csv").href = query("csv"); $("export-xlsx").href = query("xlsx");
    return W.getJSON(query("json")).then(function (out) {
      centers.clearLayers(); signs.clearLayers();
      var rows = [];
      out.centers.forEach(function (c) {
        var at = W.toLatLng(c.lon, c.lat);
        L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 0.95, className: "sign-center" })
          .bindTooltip(esc(c.name) + W.colon + esc(interpolate(gettext("服务 %s 户，指引牌引导 %s 户"), [c.households_served, c.households_guided]))).addTo(centers);
        c.signs.forEach(function (s) {
          var here = W.toLatLng(s.lon, s.lat);
          L.polyline([here, at], { color: "#1565c0", weight: 2, dashArray: "4 6", opacity: 0.8, interactive: false }).addTo(signs);
          L.marker(here, { icon: L.divIcon({ className: "sign-marker", iconSize: [22, 22], html: "<span><i style=\"transform:rotate(" + Number(s.route_bearing_deg) + "deg)\">↑</i></span>" }) })
            .bindTooltip(esc(s.text) + "<br>" + esc(s.road) + " · " + esc(s.direction) + " · " + esc(s.hours)).addTo(signs);
          rows.push("<tr><td>" + esc(c.name) + "</td><td>" + esc(s.road) + "</td><td>" + esc(s.direction) + "</td><td>" + s.walk_m + "</td><td>" + s.households + "</td><td>" + esc(s.text) + "</td><td>" + esc(s.hours) + "</td></tr>");
        });
      });
      $("table-signs").innerHTML = "<thead><tr><th>" + [gettext("服务中心"), gettext("所在道路"), gettext("箭头方向"), gettext("步行（米）"), gettext("引导户数"), gettext("牌面文字"), gettext("开放时间")].map(esc).join("</th><th>") + "</th></tr></thead><tbody>" + rows.join("") + "</tbody>";
      var served = out.centers.reduce(function (a, c) { return a + c.households_served; }, 0);
      var guided = out.centers.reduce(function (a, c) { return a + c.households_guided; }, 0);
      $("summary").textContent = interpolate(gettext("%s 个服务中心，建议设指引牌 %s 块；步行 %s 米内服务 %s 户，其中 %s 户的步行路线经过指引牌。"), [out.centers.length, out.signs, out.reach_m, served, guided]);
      var all = L.featureGroup([centers, signs]);
      if (all.getBounds().isValid() && !map.wanggeFramed) { map.wanggeFramed = true; map.fitBounds(all.getBounds().pad(0.1)); }
      $("map").dataset.signs = String(out.signs);
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); map.wanggeFramed = false; load(); });
  load();
})();
