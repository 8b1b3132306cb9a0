// wangge map helpers shared by every page: a canvas vector-tile layer fed by /tiles/, the
// offline basemap style, optional online basemaps, GCJ-02 shifting and small fetch helpers.
(function () {
  "use strict";
  var W = (window.W = window.W || {});
  var cfgEl = document.getElementById("wangge-config");
  W.config = cfgEl ? JSON.parse(cfgEl.textContent) : { tiles: "/tiles/", online: [] };
  if (!window.gettext) { window.gettext = function (s) { return s; }; }
  W.t = window.gettext;

  // --- fetch helpers ------------------------------------------------------------------
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  // The body as JSON; an error status becomes an Error carrying the API's error message.
  function json(r) {
    return r.json().then(function (body) {
      if (!r.ok) { var e = new Error((body.error && body.error.message) || r.statusText); e.status = r.status; e.body = body; throw e; }
      return body;
    });
  }
  W.getJSON = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(json);
  };
  W.postJSON = function (url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(data),
    }).then(json);
  };
  // A route of the server (W.config.urls, from reverse()), its {slots} filled and escaped,
  // plus an optional query object.
  W.url = function (name, slots, query) {
    var u = (W.config.urls || {})[name];
    if (!u) { throw new Error("unknown route " + name); }
    Object.keys(slots || {}).forEach(function (k) { u = u.replace("{" + k + "}", encodeURIComponent(slots[k])); });
    var q = Object.keys(query || {}).filter(function (k) { return query[k] !== undefined && query[k] !== null && query[k] !== ""; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(query[k]); }).join("&");
    return q ? u + "?" + q : u;
  };
  W.esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  // --- GCJ-02 (Amap) forward transform, for overlays on an Amap basemap ---------------
  var A = 6378245.0, EE = 0.00669342162296594323;
  function outOfChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  W.wgsToGcj = function (lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLon = (dLon * 180) / (A / sq * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  };
  // Overlays are shifted forward while a GCJ-02 basemap is shown, so they line up with it.
  W.shiftActive = false;
  W.toLatLng = function (lon, lat) {
    if (!W.shiftActive) { return L.latLng(lat, lon); }
    var g = W.wgsToGcj(lon, lat);
    return L.latLng(g[1], g[0]);
  };
  W.geoJSON = function (data, options) {
    options = options || {};
    options.coordsToLatLng = function (c) { return W.toLatLng(c[0], c[1]); };
    return L.geoJSON(data, options);
  };

  // --- canvas vector tiles --------------------------------------------------------------
  function ringArea(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) { a += (ring[j].x + ring[i].x) * (ring[j].y - ring[i].y); }
    return a / 2;
  }
  function inRing(p, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var a = ring[i], b = ring[j];
      if ((a.y > p.y) !== (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) { inside = !inside; }
    }
    return inside;
  }

  // layers: [{name, style: function(props, zoom) -> {fill, stroke, width, dash, radius, label, font, halo} | null}]
  W.VectorTiles = L.GridLayer.extend({
    options: { layers: [], interactive: false, maxNativeZoom: 18, updateWhenZooming: false },
    initialize: function (options) {
      L.setOptions(this, options);
      this._hits = {};
    },
    createTile: function (coords, done) {
      var tile = L.DomUtil.create("canvas", "leaflet-tile"), size = this.getTileSize();
      var ratio = window.devicePixelRatio || 1, self = this;
      tile.width = size.x * ratio; tile.height = size.y * ratio;
      var base = W.config.tiles;
      Promise.all(this.options.layers.map(function (spec) {
        var url = base + spec.name + "/" + coords.z + "/" + coords.x + "/" + coords.y + ".pbf";
        return fetch(url, { credentials: "same-origin" }).then(function (r) {
          return r.status === 200 ? r.arrayBuffer() : null;
        });
      })).then(function (buffers) {
        self._draw(tile, coords, buffers, size, ratio);
        done(null, tile);
      }).catch(function (err) { done(err, tile); });
      return tile;
    },
    _draw: function (tile, coords, buffers, size, ratio) {
      var ctx = tile.getContext("2d"), zoom = coords.z, labels = [], hits = [], self = this;
      ctx.scale(ratio, ratio);
      if (W.shiftActive && this._map) {
        // One GCJ-02 offset per tile: it varies by far less than a pixel across 256 px.
        var nw = this._map.unproject([(coords.x + 0.5) * size.x, (coords.y + 0.5) * size.y], zoom);
        var g = W.wgsToGcj(nw.lng, nw.lat), p0 = this._map.project(nw, zoom), p1 = this._map.project(L.latLng(g[1], g[0]), zoom);
        ctx.translate(p1.x - p0.x, p1.y - p0.y);
      }
      this.options.layers.forEach(function (spec, i) {
        if (!buffers[i]) { return; }
        var vt = new window.WanggeMVT.VectorTile(new window.WanggeMVT.Pbf(buffers[i]));
        var layer = vt.layers[spec.name];
        if (!layer) { return; }
        var k = size.x / layer.extent;
        for (var f = 0; f < layer.length; f++) {
          var feat = layer.feature(f), props = feat.properties, st = spec.style(props, zoom);
          if (!st) { continue; }
          var geom = feat.loadGeometry().map(function (ring) {
            return ring.map(function (p) { return { x: p.x * k, y: p.y * k }; });
          });
          ctx.beginPath();
          if (feat.type === 1) {
            geom.forEach(function (ring) { ring.forEach(function (p) { ctx.moveTo(p.x + (st.radius || 3), p.y); ctx.arc(p.x, p.y, st.radius || 3, 0, 2 * Math.PI); }); });
          } else {
            geom.forEach(function (ring) {
              ring.forEach(function (p, j) { if (j) { ctx.lineTo(p.x, p.y); } else { ctx.moveTo(p.x, p.y); } });
              if (feat.type === 3) { ctx.closePath(); }
            });
          }
          if (st.fill && feat.type !== 2) { ctx.fillStyle = st.fill; ctx.fill("evenodd"); }
          if (st.stroke) {
            ctx.strokeStyle = st.stroke; ctx.lineWidth = st.width || 1;
            ctx.lineCap = "round"; ctx.lineJoin = "round";
            ctx.setLineDash(st.dash || []); ctx.stroke();
          }
          if (st.label) { labels.push({ text: st.label, type: feat.type, geom: geom, st: st }); }
          if (spec.interactive) { hits.push({ layer: spec.name, type: feat.type, geom: geom, props: props }); }
        }
      });
      this._hits[coords.x + ":" + coords.y + ":" + coords.z] = hits;
      self._labels(ctx, labels, size);
      tile.dataset.features = String(hits.length);
    },
    _labels: function (ctx, labels, size) {
      var boxes = [], seen = {};
      labels.forEach(function (lb) {
        var at = null, longest = 0;
        if (lb.type === 3) {
          var outer = lb.geom[0], minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
          outer.forEach(function (p) { minx = Math.min(minx, p.x); maxx = Math.max(maxx, p.x); miny = Math.min(miny, p.y); maxy = Math.max(maxy, p.y); });
          if (maxx - minx < 40 || maxy - miny < 14 || Math.abs(ringArea(outer)) < 800) { return; }
          at = { x: (minx + maxx) / 2, y: (miny + maxy) / 2 };
        } else if (lb.type === 2) {
          if (seen[lb.text]) { return; }
          lb.geom.forEach(function (ring) {
            for (var j = 1; j < ring.length; j++) {
              var d = Math.hypot(ring[j].x - ring[j - 1].x, ring[j].y - ring[j - 1].y);
              if (d > longest) { longest = d; at = { x: (ring[j].x + ring[j - 1].x) / 2, y: (ring[j].y + ring[j - 1].y) / 2 }; }
            }
          });
          if (longest < 30) { return; }
        } else {
          at = { x: lb.geom[0][0].x, y: lb.geom[0][0].y - 10 };
        }
        if (!at || at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) { return; }
        ctx.font = lb.st.font || "12px 'Noto Sans CJK SC', sans-serif";
        var w = ctx.measureText(lb.text).width, box = [at.x - w / 2 - 2, at.y - 8, at.x + w / 2 + 2, at.y + 8];
        if (boxes.some(function (b) { return b[0] < box[2] && box[0] < b[2] && b[1] < box[3] && box[1] < b[3]; })) { return; }
        boxes.push(box); seen[lb.text] = true;
        ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.setLineDash([]);
        ctx.lineWidth = 3; ctx.strokeStyle = lb.st.halo || "rgba(255,255,255,0.9)"; ctx.strokeText(lb.text, at.x, at.y);
        ctx.fillStyle = lb.st.color || "#333"; ctx.fillText(lb.text, at.x, at.y);
      });
    },
    // Features of interactive layers under a map point (polygons and points).
    featuresAt: function (latlng) {
      var map = this._map, z = Math.min(Math.round(map.getZoom()), this.options.maxNativeZoom);
      var size = this.getTileSize(), p = map.project(latlng, z);
      var tx = Math.floor(p.x / size.x), ty = Math.floor(p.y / size.y);
      var local = { x: p.x - tx * size.x, y: p.y - ty * size.y };
      return (this._hits[tx + ":" + ty + ":" + z] || []).filter(function (h) {
        if (h.type === 3) {
          var count = 0;
          h.geom.forEach(function (ring) { if (inRing(local, ring)) { count++; } });
          return count % 2 === 1;
        }
        if (h.type === 1) { return h.geom.some(function (ring) { return ring.some(function (q) { return Math.hypot(q.x - local.x, q.y - local.y) < 8; }); }); }
        return false;
      });
    },
  });

  // --- the offline basemap style (Chinese labels) ----------------------------------------
  var ROAD = {
    trunk: ["#f6b26b", 6, 11], primary: ["#fcd581", 5, 12], secondary: ["#fff2b3", 4, 14],
    tertiary: ["#ffffff", 3, 14], residential: ["#ffffff", 2, 16], living_street: ["#ffffff", 2, 16],
    pedestrian: ["#f1e9dc", 2, 16], service: ["#ffffff", 1.2, 17], footway: ["#e0b090", 1, 18],
    path: ["#e0b090", 1, 18], steps: ["#e0b090", 1, 18], other: ["#ffffff", 1, 18],
  };
  var LAND = {
    park: "#cdebb0", residential: "#ece7e1", commercial: "#f2dad9", industrial: "#e5dce8",
    education: "#fff6c8", other: "#eeeeee",
  };
  W.basemapLayers = [
    { name: "landuse", style: function (p, z) {
      return { fill: LAND[p.kind] || LAND.other, label: z >= 15 && p.name ? p.name : null, color: "#4b6b3a" };
    } },
    { name: "water", style: function (p, z) {
      return { fill: "#aad3df", stroke: "#8fc0d3", width: 0.5, label: z >= 13 && p.name ? p.name : null, color: "#2b6a8a" };
    } },
    { name: "buildings", style: function (p) {
      return { fill: p.residential ? "#d9d0c9" : "#d5cfe0", stroke: "#c4b6ab", width: 0.5 };
    } },
    { name: "roads", style: function (p, z) {
      var r = ROAD[p.highway] || ROAD.other, w = r[1] * Math.max(0.5, Math.min(1.6, (z - 10) / 5));
      return { stroke: r[0], width: w, halo: "#fff", label: z >= r[2] && p.name ? p.name : null,
               color: "#555", font: "11px 'Noto Sans CJK SC', sans-serif" };
    } },
  ];
  W.basemap = function () {
    return new W.VectorTiles({
      layers: W.basemapLayers, className: "wangge-basemap",
      attribution: W.t("本地底图 offline basemap") + " · © OpenStreetMap",
    });
  };

  // Optional online basemaps, only when configured (the intranet default has none).
  W.onlineLayers = function () {
    var out = {}, cfg = W.config;
    (cfg.online || []).forEach(function (name) {
      if (name === "tianditu" && cfg.tianditu_key) {
        out["天地图 Tianditu"] = L.layerGroup([
          L.tileLayer("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + cfg.tianditu_key, { subdomains: "01234567", maxZoom: 18 }),
          L.tileLayer("https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + cfg.tianditu_key, { subdomains: "01234567", maxZoom: 18 }),
        ]);
      } else if (name === "osm") {
        out["OpenStreetMap"] = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" });
      } else if (name === "amap") {
        var amap = L.tileLayer("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}", { subdomains: "1234", maxZoom: 18, attribution: "© 高德 Amap" });
        amap.gcj02 = true;
        out["高德 Amap (GCJ-02)"] = amap;
      }
    });
    return out;
  };

  // Frame the data we hold (the communities' extent) when the page has no place of its own.
  W.fitData = function (map) {
    return W.getJSON(W.config.tiles + "communities.json").then(function (tj) {
      if (tj.bounds && !map.wanggeFramed) { map.fitBounds([[tj.bounds[1], tj.bounds[0]], [tj.bounds[3], tj.bounds[2]]]); }
    }).catch(function () { /* an empty database keeps the default view */ });
  };

  // A map with the offline basemap, a scale bar and, when configured, online basemaps.
  // onShift(active) is called when a GCJ-02 basemap is switched on or off.
  W.makeMap = function (el, options) {
    options = options || {};
    var map = L.map(el, { zoomControl: true, preferCanvas: false, maxZoom: 20 });
    map.attributionControl.setPrefix("wangge");
    var base = W.basemap().addTo(map);
    var online = options.online === false ? {} : W.onlineLayers();
    var bases = {}; bases[W.t("本地底图 Offline")] = base;
    Object.keys(online).forEach(function (k) { bases[k] = online[k]; });
    if (Object.keys(bases).length > 1) {
      L.control.layers(bases, options.overlays || {}, { collapsed: true }).addTo(map);
      map.on("baselayerchange", function (e) {
        var active = !!e.layer.gcj02;
        if (active !== W.shiftActive) {
          W.shiftActive = active;
          if (options.onShift) { options.onShift(active); }
        }
      });
    }
    L.control.scale({ imperial: false }).addTo(map);
    map.setView(options.center || W.config.center, options.zoom || 13);
    map.wanggeBase = base;
    if (!options.center) { W.fitData(map); }
    return map;
  };
})();
