// A center's own page: its place on the offline map, labelled with its (escaped) name.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var map = W.makeMap(el, { center: ll, zoom: 16, online: false });
  L.circleMarker(ll, { radius: 8, color: "#fff", fillColor: "#c62828", fillOpacity: 1, weight: 2 })
    .addTo(map).bindTooltip(W.esc(el.dataset.name), { permanent: true });
})();
