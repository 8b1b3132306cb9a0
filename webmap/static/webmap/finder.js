// Resident finder: nearest service centers on foot from a tap, a GPS fix or a searched place.
(function () {
  "use strict";
  var t = W.t, esc = W.esc, cfg = W.config;
  var el = document.getElementById("map");
  // Community boundaries and centers are drawn by the basemap's MapLibre map, in the same
  // composite tile as the basemap: one request per tile position, names placed once.
  var LICENSED = "#c62828", UNLICENSED = "#9e9e9e", BOUNDARY = "#b71c1c";
  var map = W.makeMap(el, {
    zoom: 14, onShift: function () { if (last) { show(last); } },
    gl: {
      layers: ["communities", "centers"],
      styleLayers: [
        { id: "finder-communities", type: "line", source: "base", "source-layer": "communities",
          paint: { "line-color": BOUNDARY, "line-width": 1.2, "line-dasharray": [4, 3] } },
        { id: "finder-centers", type: "circle", source: "base", "source-layer": "centers",
          paint: { "circle-color": ["case", ["get", "licensed"], LICENSED, UNLICENSED],
                   "circle-radius": ["match", ["get", "level"], ["district", "street"], 7, 5],
                   "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
      ],
    },
  });
  // An online basemap replaces the offline one and, with it, the boundaries and centers it
  // drew: draw them over the online map instead (shifted with it when it is GCJ-02).
  var online = new W.VectorTiles({ className: "online-centers", pane: "overlayPane", layers: [
    { name: "communities", style: function () { return { stroke: BOUNDARY, width: 1.2, dash: [4, 3] }; } },
    { name: "centers", style: function (p) {
      return { fill: p.licensed ? LICENSED : UNLICENSED, stroke: "#ffffff", width: 1.5,
               radius: p.level === "district" || p.level === "street" ? 7 : 5 };
    } }] });
  map.on("baselayerchange", function (e) {
    if (e.layer === map.wanggeBase) { map.removeLayer(online); return; }
    if (map.hasLayer(online)) { online.redraw(); } else { online.addTo(map); }
  });
  W.legend(map, [
    { label: gettext("党群服务中心（已挂牌）"), circle: true, fill: LICENSED, stroke: "#fff" },
    { label: gettext("服务中心（未挂牌）"), circle: true, fill: UNLICENSED, stroke: "#fff" },
    { label: gettext("社区边界"), line: true, stroke: BOUNDARY, dash: true, width: 2 },
    { label: gettext("步行路线"), line: true, stroke: LICENSED, width: 4 },
  ]);
  // The centers under a map point, from what MapLibre drew (8 px around it).
  function centersAt(latlng) {
    var gl = map.wanggeBase.getMaplibreMap();
    if (!gl || !gl.getLayer("finder-centers")) { return []; }
    var p = gl.project([latlng.lng, latlng.lat]);
    return gl.queryRenderedFeatures([[p.x - 8, p.y - 8], [p.x + 8, p.y + 8]], { layers: ["finder-centers"] });
  }
  var drawn = L.layerGroup().addTo(map), last = null;
  var results = document.getElementById("results"), placeEl = document.getElementById("place");
  var hint = document.getElementById("hint");

  function minutes(m) { return Math.round(m) + " " + gettext("分钟"); }
  function metres(m) { return m >= 1000 ? (m / 1000).toFixed(2) + " km" : Math.round(m) + " m"; }

  function show(answer) {
    last = answer;
    drawn.clearLayers();
    var origin = answer.query.wgs84;
    L.circleMarker(W.toLatLng(origin[0], origin[1]), { radius: 7, color: "#1565c0", fillColor: "#42a5f5", fillOpacity: 1, className: "origin-marker" })
      .addTo(drawn).bindTooltip(gettext("出发点"));
    var bounds = L.latLngBounds([W.toLatLng(origin[0], origin[1])]);
    answer.centers.forEach(function (c, i) {
      if (c.route) {
        var line = W.geoJSON(c.route, { style: { color: i === 0 ? "#c62828" : "#ef9a9a", weight: i === 0 ? 5 : 3,
          dashArray: i === 0 ? null : "6 6", className: "route-line" + (i === 0 ? " route-best" : "") } }).addTo(drawn);
        bounds.extend(line.getBounds());
      }
    });
    var p = answer.place;
    placeEl.innerHTML = p ? (
      '<div class="place"><b>' + gettext("您所在") + "</b>" + W.colon + esc(p.street.name) + " · " + esc(p.community.name) +
      (p.grid ? "<br>" + gettext("网格") + W.colon + esc(p.grid.name) + (p.grid.leader ? W.comma + gettext("网格长") + " " + esc(p.grid.leader) : "") +
        (p.grid.workers && p.grid.workers.length ? "<br>" + gettext("网格员") + W.colon + p.grid.workers.map(function (w) {
          return esc(w.name) + (w.phone ? ' <a href="tel:' + esc(w.phone) + '">' + esc(w.phone) + "</a>" : "");
        }).join(W.comma) : "") : "") + "</div>") : "";
    (answer.notices || []).forEach(function (n) { placeEl.innerHTML += '<p class="notice">' + esc(n.message) + "</p>"; });
    if (p) { placeEl.innerHTML += '<p><button type="button" id="report-open">' + gettext("在此报告问题") + "</button></p>"; }
    results.innerHTML = answer.centers.map(function (c, i) {
      var services = (c.services || []).map(function (s) { return '<span class="tag">' + esc(cfg.services[s] || s) + "</span>"; }).join("");
      return '<li class="center-card' + (i === 0 ? " best" : "") + '" data-id="' + c.id + '" data-distance="' + c.distance_m + '">' +
        "<h2>" + esc(c.name) + ' <small>' + esc(cfg.levels[c.level] || c.level) + "</small></h2>" +
        '<p class="dist"><b>' + metres(c.distance_m) + "</b> · " + gettext("步行约") + " " + minutes(c.walk_minutes) + "</p>" +
        (c.opening_hours ? "<p>" + gettext("开放时间") + W.colon + esc(c.opening_hours) + "</p>" : "") +
        (services ? "<p>" + services + "</p>" : "") +
        (c.address ? "<p>" + esc(c.address) + "</p>" : "") +
        '<p class="actions">' + (c.phone ? '<a href="tel:' + esc(c.phone) + '">☎ ' + esc(c.phone) + "</a> " : "") +
        '<a href="' + W.esc(W.url("center", { id: c.id })) + '">' + gettext("查看详情") + "</a>" +
        (i === 0 ? ' <button type="button" class="share">' + gettext("分享链接") + "</button>" : "") + "</p></li>";
    }).join("");
    hint.hidden = true;
    // On a phone the answer takes more of the screen and the map less: lay the panel out
    // first, then frame the routes in the map that is left.
    document.querySelector(".finder").classList.add("answered");
    map.invalidateSize();
    map.wanggeFramed = true;
    map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
    results.dataset.count = String(answer.centers.length);
  }

  function nearest(lon, lat, crs) {
    hint.hidden = false; hint.textContent = gettext("正在计算步行距离…");
    var url = W.url("nearest", {}, { k: 3, by: "walk", lon: lon, lat: lat, crs: crs });
    return W.getJSON(url).then(function (answer) {
      var q = answer.query.wgs84;
      history.replaceState(null, "", "?lon=" + q[0].toFixed(6) + "&lat=" + q[1].toFixed(6));
      show(answer);
    }).catch(function (err) { hint.hidden = false; hint.textContent = gettext("查询失败") + W.colon + err.message; });
  }

  map.on("click", function (e) {
    var hit = W.shiftActive ? null : centersAt(e.latlng)[0];
    if (hit) {
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(hit.properties.name) + "</b><br>" + esc(hit.properties.opening_hours || "") +
        '<br><a href="' + W.esc(W.url("center", { id: hit.properties.id })) + '">' + gettext("查看详情") + "</a>").openOn(map);
      return;
    }
    nearest(e.latlng.lng.toFixed(7), e.latlng.lat.toFixed(7), W.shiftActive ? "gcj02" : "");
  });

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { hint.textContent = gettext("此浏览器不支持定位"); return; }
    hint.hidden = false; hint.textContent = gettext("正在定位…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      nearest(pos.coords.longitude.toFixed(7), pos.coords.latitude.toFixed(7));
    }, function (err) { hint.textContent = gettext("无法定位") + W.colon + err.message; }, { enableHighAccuracy: true, timeout: 10000 });
  });

  // A resident reports a problem at the place just asked about; it goes to that grid.
  var form = document.getElementById("report-form"), done = document.getElementById("report-done");
  var formError = document.getElementById("report-error");
  placeEl.addEventListener("click", function (e) {
    if (!e.target.closest("#report-open") || !last) { return; }
    var p = last.place;
    document.getElementById("report-where").textContent = p ? p.community.name + (p.grid ? " · " + p.grid.name : "") : "";
    form.hidden = false; done.hidden = true; formError.hidden = true;
    form.elements.description.focus();
  });
  document.getElementById("report-cancel").addEventListener("click", function () { form.hidden = true; });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = form.elements, at = last.query.wgs84;
    if (!f.description.value.trim() || !f.phone.value.trim()) {
      formError.hidden = false; formError.textContent = gettext("请填写描述和联系电话"); return;
    }
    var fields = { category: f.category.value, description: f.description.value.trim(),
      phone: f.phone.value.trim(), lon: at[0], lat: at[1] }, file = f.photo.files[0];
    (file ? W.postForm(W.url("events"), fields, { photo: file }) : W.postJSON(W.url("events"), fields)).then(function (ev) {
      form.hidden = true; form.reset();
      done.hidden = false;
      done.innerHTML = gettext("已提交。查询码") + W.colon + '<b id="report-code">' + esc(ev.code) + "</b>" + W.comma +
        '<a href="' + esc(W.url("event_page", { code: ev.code })) + '">' + gettext("查看进度") + "</a>";
    }).catch(function (err) { formError.hidden = false; formError.textContent = gettext("提交失败") + W.colon + err.message; });
  });

  // "Share" hands over this page's address: the place asked about and its answer (?lon=&lat=).
  results.addEventListener("click", function (e) {
    if (!e.target.closest("button.share")) { return; }
    var url = location.href, done = function () { hint.hidden = false; hint.textContent = gettext("链接已复制") + W.colon + url; };
    if (navigator.share) { navigator.share({ title: document.title, url: url }).catch(function () {}); return; }
    if (navigator.clipboard) { navigator.clipboard.writeText(url).then(done, done); } else { done(); }
  });

  var q = document.getElementById("q"), sugg = document.getElementById("suggestions"), timer = null;
  var kinds = { compound: gettext("小区"), community: gettext("社区"), center: gettext("服务中心") };
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = q.value.trim();
      if (!text) { sugg.hidden = true; return; }
      W.getJSON(W.url("search", {}, { limit: 8, q: text })).then(function (res) {
        sugg.innerHTML = res.results.length ? res.results.map(function (r) {
          return '<li><button type="button" data-lon="' + r.lon + '" data-lat="' + r.lat + '">' + esc(r.name) +
            ' <small>' + esc(kinds[r.kind] || r.kind) + (r.detail ? " · " + esc(r.detail) : "") + "</small></button></li>";
        }).join("") : '<li class="none">' + gettext("没有找到") + "</li>";
        sugg.hidden = false;
      });
    }, 200);
  });
  sugg.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) { return; }
    sugg.hidden = true; q.value = b.textContent.split(" ")[0];
    nearest(b.dataset.lon, b.dataset.lat);
  });

  var params = new URLSearchParams(location.search);
  if (params.get("lon") && params.get("lat")) { nearest(params.get("lon"), params.get("lat")); }
})();
