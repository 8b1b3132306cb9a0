// Overview map drawn only from local data: the offline basemap, main roads and community
// boundaries from /basemap/context.geojson (no online tiles).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.W) { return; }
  var map = W.makeMap(el, { online: false, zoom: 13 });
  var esc = W.esc;  // Leaflet shows a tooltip string as HTML: names are escaped first.
  W.legend(map, [
    { label: gettext("社区边界"), line: true, stroke: "#b71c1c", dash: true, width: 2 },
    { label: gettext("主要道路"), line: true, stroke: "#9e9e9e", width: 3 },
  ]);
  var roadWeight = { trunk: 5, primary: 4, secondary: 3, tertiary: 2 };
  fetch(el.dataset.url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (fc) {
      var layer = L.geoJSON(fc, {
        style: function (f) {
          if (f.properties.kind === "community") {
            return { color: "#b71c1c", weight: 1.5, dashArray: "4 3" };
          }
          return { color: "#9e9e9e", weight: roadWeight[f.properties.highway] || 1 };
        },
        onEachFeature: function (f, l) {
          if (f.properties.name) { l.bindTooltip(esc(f.properties.name)); }
        }
      }).addTo(map);
      if (fc.features.length) { map.fitBounds(layer.getBounds()); }
      el.dataset.loaded = String(fc.features.length);
    });
})();
