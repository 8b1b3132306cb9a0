// Overview map drawn only from local data: roads and community boundaries (no online tiles).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { preferCanvas: true, attributionControl: true });
  map.attributionControl.setPrefix("wangge · 本地底图 offline basemap");
  map.setView([30.62, 104.10], 13);
  // Leaflet shows a tooltip string as HTML: names are escaped first.
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
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
