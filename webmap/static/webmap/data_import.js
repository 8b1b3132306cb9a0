// The import page: the file's first shapes on the offline map (with a legend), and the
// import posted in the background while a progress bar follows the server's count.
(function () {
  "use strict";
  var page = document.getElementById("import-run");
  var el = document.getElementById("map");
  var data = document.getElementById("import-preview");
  if (el && data && window.L) {
    var shapes = JSON.parse(data.textContent);
    var map = W.makeMap(el, { center: W.config.center, zoom: 13, online: false });
    var layer = W.geoJSON(shapes, {
      style: function () { return { color: "#1565c0", weight: 2, fillOpacity: 0.15 }; },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 5, color: "#fff", weight: 1, fillColor: "#1565c0", fillOpacity: 1 });
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(W.esc(interpolate(gettext("第 %s 行"), [f.properties.row]) + (f.properties.name ? " · " + f.properties.name : "")));
      },
    }).addTo(map);
    if (shapes.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 17 }); }
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var d = L.DomUtil.create("div", "legend"); d.id = "legend";
      d.innerHTML = '<i style="background:#1565c0"></i>' +
        W.esc(interpolate(gettext("文件中的要素（预览前 %s 个）"), [shapes.features.length]));
      return d;
    };
    legend.addTo(map);
    el.dataset.loaded = String(shapes.features.length);
  }

  var form = document.getElementById("import-form");
  if (!form || !page || !window.fetch) { return; }
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    form.querySelector("button").disabled = true;
    bar.hidden = false;
    status.textContent = gettext("导入中…");
    var timer = setInterval(function () {
      W.getJSON(page.dataset.progress).then(function (p) {
        if (p.total) { bar.max = p.total; bar.value = p.done; }
        status.textContent = (p.phase === "match" ? gettext("写入中") : gettext("检查中")) +
          (p.done ? " " + p.done + (p.total ? " / " + p.total : "") : "");
      }).catch(function () { /* the next poll tries again */ });
    }, 500);
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { Accept: "application/json" },
    }).then(function (r) {
      clearInterval(timer);
      if (r.status === 409) { return r.json().then(function (b) { throw new Error(b.error.message); }); }
      window.location.reload();
    }).catch(function (e) {
      clearInterval(timer);
      bar.hidden = true;
      status.textContent = e.message;
      form.querySelector("button").disabled = false;
    });
  });
})();
