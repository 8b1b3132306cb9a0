// The admin's map widget over the project's own vector basemap (no online tiles). Django's
// template starts the widget with an inline script; ours reads its options from a JSON data
// block, so the admin runs under the same Content-Security-Policy as every other page.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("[data-wangge-map-widget]").forEach(function (wrap) {
    var opts = JSON.parse(document.getElementById(wrap.dataset.wanggeMapWidget).textContent);
    opts.base_layer = new ol.layer.Vector({
      source: new ol.source.Vector({
        format: new ol.format.GeoJSON(),
        url: function (extent) {
          var e = ol.proj.transformExtent(extent, "EPSG:3857", "EPSG:4326");
          return opts.basemap_url + "?minor=1&bbox=" + e.map(function (v) { return v.toFixed(6); }).join(",");
        },
        strategy: ol.loadingstrategy.bbox
      }),
      style: function (feature) {
        var community = feature.get("kind") === "community";
        return new ol.style.Style({
          stroke: new ol.style.Stroke({
            color: community ? "#b71c1c" : "#9e9e9e",
            width: community ? 1.5 : 1,
            lineDash: community ? [4, 3] : undefined
          })
        });
      }
    });
    window[opts.module] = new MapWidget(opts);
  });
});
