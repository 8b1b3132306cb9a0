// wangge map helpers shared by every page: the offline basemap drawn by MapLibre GL (style in
// static/webmap/style/basemap.json, labels placed across tiles), a canvas layer for thematic
// overlays fed by composite tiles, legends, optional online basemaps, GCJ-02 shifting and
// small fetch helpers.
(function () {
  "use strict";
  var W = (window.W = window.W || {});
  var cfgEl = document.getElementById("wangge-config");
  W.config = cfgEl ? JSON.parse(cfgEl.textContent) : { tiles: "/tiles/", online: [] };
  if (!window.gettext) { window.gettext = function (s) { return s; }; }
  W.t = window.gettext;
  // Punctuation follows the language too: "网格：海棠" but "Grid: Haitang".
  W.colon = gettext("：");
  W.comma = gettext("，");

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
  // A form with files (multipart): the same answer handling and CSRF header as postJSON.
  W.postForm = function (url, fields, files) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    Object.keys(files || {}).forEach(function (k) { body.append(k, files[k]); });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: body }).then(json);
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
  // A time the server sends (ISO 8601, Beijing time with its offset) as people read it:
  // 2026年11月24日 20:33 in the Chinese interface, 2026-11-24 20:33 in the English one.
  W.when = function (iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(iso || "");
    if (!m) { return iso || ""; }
    return /^zh/.test(document.documentElement.lang)
      ? m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日 " + m[4]
      : m[1] + "-" + m[2] + "-" + m[3] + " " + m[4];
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

  // Thematic overlays drawn on a canvas (colours per feature). All
  // their layers come in one composite tile per position (/tiles/set/a,b/…), 512 pixels
  // wide: tile x/y at map zoom z is the server's z - 1 tile at ?size=512. Names are not
  // drawn here (a tile cannot place a label across its edge): the basemap's labels are.
  // layers: [{name, style: function(props, zoom) -> {fill, stroke, width, dash, radius} | null}]
  W.VectorTiles = L.GridLayer.extend({
    options: { layers: [], maxNativeZoom: 18, updateWhenZooming: false, tileSize: 512, minZoom: 1 },
    initialize: function (options) { L.setOptions(this, options); },
    createTile: function (coords, done) {
      var tile = L.DomUtil.create("canvas", "leaflet-tile"), size = this.getTileSize();
      var ratio = window.devicePixelRatio || 1, self = this;
      tile.width = size.x * ratio; tile.height = size.y * ratio;
      var names = this.options.layers.map(function (spec) { return spec.name; }).join(",");
      var url = W.config.tiles + "set/" + names + "/" + (coords.z - 1) + "/" + coords.x + "/" + coords.y + ".pbf?size=512";
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.status === 200 ? r.arrayBuffer() : null;
      }).then(function (buffer) {
        self._draw(tile, coords, buffer, size, ratio);
        done(null, tile);
      }).catch(function (err) { done(err, tile); });
      return tile;
    },
    _draw: function (tile, coords, buffer, size, ratio) {
      var ctx = tile.getContext("2d"), zoom = coords.z, drawn = 0;
      ctx.scale(ratio, ratio);
      if (W.shiftActive && this._map) {
        // One GCJ-02 offset per tile: it varies by far less than a pixel across 512 px.
        var nw = this._map.unproject([(coords.x + 0.5) * size.x, (coords.y + 0.5) * size.y], zoom);
        var g = W.wgsToGcj(nw.lng, nw.lat), p0 = this._map.project(nw, zoom), p1 = this._map.project(L.latLng(g[1], g[0]), zoom);
        ctx.translate(p1.x - p0.x, p1.y - p0.y);
      }
      var vt = buffer ? new window.WanggeMVT.VectorTile(new window.WanggeMVT.Pbf(buffer)) : { layers: {} };
      this.options.layers.forEach(function (spec) {
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
          drawn++;
        }
      });
      tile.dataset.features = String(drawn);
    },
  });

  // --- the offline basemap: MapLibre GL inside Leaflet ----------------------------------
  // CJK and Latin alike are drawn with the browser's fonts (the style has no glyphs URL).
  W.FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";
  // options.layers: more tile layers in the same composite tile (one request per position);
  // options.styleLayers: MapLibre layers drawing them, put under the labels.
  W.glStyle = function (options) {
    options = options || {};
    var style = JSON.parse(JSON.stringify(W.config.style));
    if (options.layers && options.layers.length) {
      style.sources.base.tiles = [style.sources.base.tiles[0].replace("/base/", "/set/" + (W.config.basemap_layers || []).concat(options.layers).join(",") + "/")];
    }
    var labels = style.layers.findIndex(function (l) { return l.type === "symbol"; });
    Array.prototype.splice.apply(style.layers, [labels, 0].concat(options.styleLayers || []));
    return style;
  };
  W.basemap = function (options) {
    window.maplibregl.setWorkerUrl(W.config.maplibre_worker);
    var style = W.glStyle(options);
    var layer = L.maplibreGL({
      style: style, padding: 0.05, localIdeographFontFamily: W.FONTS,
      attributionControl: { customAttribution: style.sources.base.attribution },
    });
    layer.on("add", function () {
      var gl = layer.getMaplibreMap();
      L.DomUtil.addClass(gl.getCanvas(), "wangge-basemap");
      gl.on("idle", function () { gl.getContainer().dataset.idle = String(Date.now()); });
    });
    return layer;
  };

  // A legend: items [{label, fill, stroke, dash, circle, line}] as swatches in a box.
  W.legend = function (map, items, title, open) {
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      // Open on a wide screen; a tap away on a phone, where the map is small.
      var div = L.DomUtil.create("details", "legend");
      div.open = open !== false && window.innerWidth > 600;
      div.innerHTML = "<summary>" + W.esc(title || gettext("图例")) + "</summary>" + items.map(function (it) {
        var sw = it.circle
          ? '<span class="sw circle" style="background:' + it.fill + ";border-color:" + (it.stroke || it.fill) + '"></span>'
          : it.line
            ? '<span class="sw line" style="border-top:' + (it.width || 3) + "px " + (it.dash ? "dashed " : "solid ") + it.stroke + '"></span>'
            : '<span class="sw" style="background:' + (it.fill || "transparent") + ";border-color:" + (it.stroke || "#999") + '"></span>';
        return '<div class="row">' + sw + W.esc(it.label) + "</div>";
      }).join("");
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return ctl.addTo(map);
  };

  // Optional online basemaps, only when configured (the intranet default has none).
  W.onlineLayers = function () {
    var out = {}, cfg = W.config;
    (cfg.online || []).forEach(function (name) {
      if (name === "tianditu" && cfg.tianditu_key) {
        out[gettext("天地图")] = L.layerGroup([
          L.tileLayer("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + cfg.tianditu_key, { subdomains: "01234567", maxZoom: 18 }),
          L.tileLayer("https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + cfg.tianditu_key, { subdomains: "01234567", maxZoom: 18 }),
        ]);
      } else if (name === "osm") {
        out["OpenStreetMap"] = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" });
      } else if (name === "amap") {
        var amap = L.tileLayer("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}", { subdomains: "1234", maxZoom: 18, attribution: gettext("© 高德地图") });
        amap.gcj02 = true;
        out[gettext("高德地图（GCJ-02）")] = amap;
      }
    });
    return out;
  };

  // Frame the data we hold (the communities' extent) when the page has no place of its own.
  W.fitData = function (map) {
    return W.getJSON(W.config.tiles + "communities.json").then(function (tj) {
      // Not animated: a page framing its own data a moment later would be ignored by Leaflet
      // while this zoom still animates.
      if (tj.bounds && !map.wanggeFramed) { map.fitBounds([[tj.bounds[1], tj.bounds[0]], [tj.bounds[3], tj.bounds[2]]], { animate: false }); }
    }).catch(function () { /* an empty database keeps the default view */ });
  };

  // A map with the offline basemap, a scale bar and, when configured, online basemaps.
  // onShift(active) is called when a GCJ-02 basemap is switched on or off.
  // The panel's tabs: buttons .tabs [data-tab=X] show the element #tab-X and hide the others.
  W.tabs = function () {
    var buttons = document.querySelectorAll(".tabs button[data-tab]");
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        buttons.forEach(function (x) { x.classList.toggle("active", x === b); });
        document.querySelectorAll(".tab").forEach(function (x) { x.hidden = x.id !== "tab-" + b.dataset.tab; });
      });
    });
  };
  // A sheet upload form (a file input, buttons with data-dry=1 to check and data-dry=0 to
  // import): the answer in ``status``, each problem row in the ``problems`` table.
  W.sheetUpload = function (form, kind, status, problems, written) {
    var dry = "1";
    form.querySelectorAll("button[data-dry]").forEach(function (b) { b.addEventListener("click", function () { dry = b.dataset.dry; }); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var file = form.elements.file.files[0];
      if (!file) { return; }
      status.textContent = gettext("正在处理…");
      problems.innerHTML = "";
      W.postForm(W.url("sheet_upload", { kind: typeof kind === "function" ? kind() : kind }), { dry_run: dry }, { file: file }).then(function (body) {
        var r = body.result;
        status.textContent = (r.written ? gettext("已导入：") : gettext("检查通过，尚未写入：")) +
          interpolate(gettext("%s 行，新增 %s 条，更新 %s 条，未变 %s 条"), [r.rows, r.created, r.updated, r.unchanged]);
        if (r.written && written) { written(r); }
      }).catch(function (err) {
        status.textContent = err.message;
        var r = err.body && err.body.result;
        if (r && r.problems.length) {
          problems.innerHTML = "<thead><tr><th>" + W.esc(gettext("行")) + "</th><th>" + W.esc(gettext("问题")) + "</th></tr></thead><tbody>" +
            r.problems.map(function (p) { return "<tr><td>" + W.esc(p.row) + "</td><td>" + W.esc(p.message) + "</td></tr>"; }).join("") + "</tbody>";
        }
      });
    });
  };

  W.makeMap = function (el, options) {
    options = options || {};
    var map = L.map(el, { zoomControl: true, preferCanvas: false, maxZoom: 19 });
    map.attributionControl.setPrefix(false);  // no library advert: the data's credits only
    var base = W.basemap(options.gl).addTo(map);
    var online = options.online === false ? {} : W.onlineLayers();
    var bases = {}; bases[gettext("本地底图")] = base;
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
    window.wanggeMap = map;  // one map per page: for tests and the browser console
    if (!options.center) { W.fitData(map); }
    return map;
  };
})();
