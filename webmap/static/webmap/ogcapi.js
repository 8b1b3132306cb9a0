// The features of an OGC API page on the offline basemap (data embedded in the page).
(function () {
  "use strict";
  var el = document.getElementById("map"), data = document.getElementById("ogc-features");
  if (!el || !data) { return; }
  var fc = JSON.parse(data.textContent);
  var map = W.makeMap(el, { online: false, zoom: 13 });
  var layer = L.geoJSON(fc, {
    style: { color: "#b71c1c", weight: 2, fillOpacity: 0.15 },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5, fillColor: "#c62828", fillOpacity: 1 }); },
    onEachFeature: function (f, l) {
      var name = f.properties.name || f.properties.code || f.id;
      l.bindTooltip(W.esc(String(name)));
    },
  }).addTo(map);
  W.legend(map, [{ label: gettext("本页要素"), fill: "#ef9a9a", stroke: "#b71c1c" }]);
  if (fc.features.length) { map.wanggeFramed = true; map.fitBounds(layer.getBounds(), { maxZoom: 17 }); }
  el.dataset.features = String(fc.features.length);
})();
