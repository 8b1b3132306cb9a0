// Grid editor: a working copy of one community's grids, edited on the map, checked live by
// the server, saved atomically with version checks; undo/redo over the session's snapshots.
(function () {
  "use strict";
  var t = W.t, esc = W.esc;
  // Every community's boundary, drawn by the basemap (names come with its labels), so the
  // planner sees the neighbours and can pick a community on the map as in the list.
  var COMMUNITY_LINE = "#8e24aa";
  var map = W.makeMap(document.getElementById("map"), {
    zoom: 14, online: false,
    gl: {
      layers: ["communities"],
      styleLayers: [
        { id: "plan-communities-hit", type: "fill", source: "base", "source-layer": "communities",
          paint: { "fill-color": "#000000", "fill-opacity": 0 } },
        { id: "plan-communities", type: "line", source: "base", "source-layer": "communities",
          paint: { "line-color": COMMUNITY_LINE, "line-width": 1.5, "line-opacity": 0.8 } },
      ],
    },
  });
  map.pm.setLang(document.documentElement.lang === "en" ? "en" : "zh");
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 15, allowSelfIntersection: false, finishOn: null });
  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("status"), listEl = $("grid-list"), findingsEl = $("findings");
  var roadLayer = L.layerGroup().addTo(map), boundary = L.layerGroup().addTo(map), gridLayer = L.featureGroup().addTo(map);
  var findingLayer = L.layerGroup().addTo(map), theirsLayer = L.layerGroup().addTo(map);
  var S = { code: null, community: null, base: {}, grids: [], range: [150, 500], selected: [], lastOp: "edit" };
  var past = [], future = [], checkTimer = null, mode = null;

  function fromFeature(f) {
    return { id: f.properties.id, code: f.properties.code, name: f.properties.name, households: f.properties.households,
             zone_type: f.properties.zone_type, geometry: f.geometry };
  }
  function clone(g) { return JSON.parse(JSON.stringify(g)); }
  var ZONES = W.config.zone_types || {};
  function status(text, dirty) {
    statusEl.textContent = text;
    if (dirty !== undefined) { statusEl.dataset.dirty = dirty ? "1" : "0"; $("tool-save").disabled = !dirty; }
    statusEl.dataset.grids = String(S.grids.length);
    $("tool-undo").disabled = !past.length; $("tool-redo").disabled = !future.length;
  }
  // Work (作业) and transport (交通) grids have no households range: one neutral colour.
  var ZONE_COLOUR = "#8d6e63";
  function isZone(g) { return g.zone_type === "production" || g.zone_type === "road_traffic"; }
  function colour(h, g) {
    if (g && isZone(g)) { return ZONE_COLOUR; }
    return h < S.range[0] ? "#1e88e5" : h > S.range[1] ? "#fb8c00" : "#43a047";
  }
  function label(g) { return (g.code ? g.code.slice(-3) : gettext("新")) + " · " + g.households + gettext("户"); }

  function render() {
    gridLayer.clearLayers();
    S.grids.forEach(function (g, i) {
      var sel = S.selected.indexOf(i) >= 0;
      var layer = L.geoJSON(g.geometry, { style: { color: sel ? "#6a1b9a" : "#333", weight: sel ? 3 : 1.5,
        fillColor: colour(g.households, g), fillOpacity: sel ? 0.45 : 0.3, className: "grid-shape" } });
      layer.eachLayer(function (l) {
        l.gridIndex = i;
        l.bindTooltip(esc(label(g)), { permanent: true, direction: "center", className: "grid-label" });
        l.on("add", function () { fitLabel(l); });
        l.on("click", function (e) {
          if (mode === "split" || mode === "draw" || mode === "edge") { return; }  // the click belongs to the drawing
          L.DomEvent.stopPropagation(e); select(i, e.originalEvent.shiftKey || mode === "merge"); });
        // Where a dragged vertex came from and went to: the same point moves on the neighbours.
        l.on("pm:markerdragstart", function (e) { var p = e.markerEvent.target.getLatLng(); dragFrom = L.latLng(p.lat, p.lng); });
        l.on("pm:vertexadded", function (e) { dragFrom = L.latLng(e.latlng.lat, e.latlng.lng); });  // a mid-edge handle
        l.on("pm:markerdragend", function (e) { var p = e.markerEvent.target.getLatLng(); dragTo = L.latLng(p.lat, p.lng); });
        l.on("pm:vertexremoved", function (e) { var p = e.marker.getLatLng(); removedAt = L.latLng(p.lat, p.lng); });
        l.on("pm:edit", function () { reshaped(i, l); });
        gridLayer.addLayer(l);
      });
    });
    listEl.innerHTML = S.grids.map(function (g, i) {
      return '<tr data-index="' + i + '" data-code="' + esc(g.code || "") + '" data-households="' + g.households + '" class="' +
        (S.selected.indexOf(i) >= 0 ? "selected" : "") + '" data-kind="' + esc(g.zone_type || "") + '"><td>' + esc(g.code || gettext("（新网格）")) + "<br><small>" + esc(g.name || "") +
        (g.zone_type && g.zone_type !== "residential" ? " · " + esc(ZONES[g.zone_type] || g.zone_type) : "") + "</small></td>" +
        '<td style="color:' + colour(g.households, g) + '">' + g.households + "</td>" +
        '<td>' + (g.code ? '<button type="button" class="link history-btn" data-code="' + esc(g.code) + '">' + gettext("历史") + "</button>" : "") + "</td></tr>";
    }).join("");
    statusEl.dataset.grids = String(S.grids.length);
    if (mode === "reshape") { gridLayer.eachLayer(function (l) { l.pm.enable({ snappable: true, snapDistance: 15 }); }); }
  }

  // A grid's label is shown only while the grid is wide enough on screen to hold it, so
  // labels never pile up when the map is zoomed out; the list and the tooltip still name it.
  function fitLabel(l) {
    var tip = l.getTooltip && l.getTooltip();
    if (!tip || !l._map) { return; }
    var b = l.getBounds(), nw = map.latLngToLayerPoint(b.getNorthWest()), se = map.latLngToLayerPoint(b.getSouthEast());
    var el = tip.getElement();
    if (el) { el.classList.toggle("crowded", se.x - nw.x < 76 || se.y - nw.y < 26); }
  }
  map.on("zoomend", function () { gridLayer.eachLayer(fitLabel); });

  function select(i, add) {
    if (add) {
      var k = S.selected.indexOf(i);
      if (k >= 0) { S.selected.splice(k, 1); } else { S.selected.push(i); }
    } else { S.selected = [i]; }
    render();
    if (mode === "merge") {
      status(gettext("已选") + " " + S.selected.length + " " + gettext("个网格") + gettext("；") +
             gettext("再点一次已选的网格可取消，点“合并”完成"));
    }
    if (S.grids[i] && S.grids[i].code) { loadHistory(S.grids[i].code); }
  }
  listEl.addEventListener("click", function (e) {
    var h = e.target.closest(".history-btn");
    if (h) { loadHistory(h.dataset.code); return; }
    var tr = e.target.closest("tr");
    if (tr) { select(parseInt(tr.dataset.index, 10), e.shiftKey || mode === "merge"); }
  });

  // The edit's name as the planner reads it; the code ("split") is what the server records.
  var OP_NAMES = { split: gettext("分割"), draw: gettext("新画网格"), merge: gettext("合并"),
                   reshape: gettext("调整边界"), propose: gettext("建议划分") };
  function unsaved(op) {
    return gettext("已修改，未保存") + W.colon + (OP_NAMES[op] || op);
  }
  function change(op, grids) {
    past.push({ grids: clone(S.grids), op: S.lastOp }); future = [];
    S.grids = grids; S.selected = []; S.lastOp = op;
    render(); status(unsaved(op), true); scheduleCheck();
  }
  var dragFrom = null, dragTo = null, removedAt = null;
  function reshaped(i, layer) {
    var grids = clone(S.grids), moved = 0;
    if (removedAt) {
      // A shared point removed: the neighbours drop it too where it sat between the same
      // two points, else the edge would leave a sliver between them.
      var p = [removedAt.lng, removedAt.lat], ends = W.topology.around(S.grids[i].geometry, p, W.topology.EPS);
      if (ends) {
        grids.forEach(function (g, k) {
          if (k === i) { return; }
          var m = W.topology.removeShared(g.geometry, p, ends[0], ends[1], W.topology.EPS);
          if (m.changed) { g.geometry = m.geometry; moved += 1; }
        });
      }
      removedAt = null;
    }
    // Full precision: toGeoJSON() would round every vertex to 6 decimals (up to 5 cm) and
    // open slivers along the edges the planner did not touch.
    grids[i].geometry = layer.toGeoJSON(false).geometry;
    if (dragFrom && dragTo && !dragFrom.equals(dragTo, 0)) {
      var from = [dragFrom.lng, dragFrom.lat], to = [dragTo.lng, dragTo.lat];
      grids.forEach(function (g, k) {
        if (k === i) { return; }
        var m = W.topology.moveShared(g.geometry, from, to, W.topology.EPS);
        if (m.changed) { g.geometry = m.geometry; moved += 1; }
      });
    }
    dragFrom = dragTo = null;
    past.push({ grids: clone(S.grids), op: S.lastOp }); future = [];
    S.grids = grids; S.lastOp = "reshape";
    statusEl.dataset.moved = String(moved);
    if (moved) { render(); }  // the neighbours' shapes and their handles follow the point
    status(unsaved("reshape"), true); scheduleCheck();
  }

  function payload() {
    return S.grids.map(function (g) { return { id: g.id, name: g.name, geometry: g.geometry, zone_type: g.zone_type || "" }; });
  }
  function scheduleCheck() { clearTimeout(checkTimer); checkTimer = setTimeout(runCheck, 250); }
  function runCheck() {
    if (!S.code || !S.grids.length) { return Promise.resolve(); }
    var sent = S.grids;
    return W.postJSON(W.url("plan_check", { code: S.code }), { grids: payload() }).then(function (res) {
      if (sent !== S.grids) { return; }
      res.households.forEach(function (h, i) { S.grids[i].households = h; });
      showFindings(res.findings);
      render();
      statusEl.dataset.checked = String(Date.now());
    }).catch(function (err) { status(gettext("检查失败") + W.colon + err.message); });
  }
  function showFindings(findings) {
    findingLayer.clearLayers();
    findingsEl.innerHTML = findings.length ? findings.map(function (f) {
      return '<li class="finding ' + f.kind + (f.blocking ? " blocking" : "") + '">' + esc(f.message) + "</li>";
    }).join("") : "<li>" + gettext("没有问题") + "</li>";
    findings.forEach(function (f) {
      if (f.geometry) {
        L.geoJSON(f.geometry, { style: { color: "#d50000", weight: 2, fillColor: "#ff1744", fillOpacity: 0.6, className: "finding-shape finding-" + f.kind } }).addTo(findingLayer);
      }
    });
    findingsEl.dataset.count = String(findings.length);
  }

  var legend = null;
  function load(code) {
    return W.getJSON(W.url("plan_community", { code: code })).then(function (st) {
      S.code = code; S.community = st.community; S.base = st.base; S.range = st.households_range;
      S.grids = st.grids.features.map(fromFeature);
      S.selected = []; past = []; future = [];
      listDrafts(st.drafts || []);
      theirsLayer.clearLayers(); $("conflict").hidden = true;
      var b = drawBoundary(st.community.geometry);
      map.wanggeFramed = true;
      map.fitBounds(b.getBounds().pad(0.05));
      // Roads as thin vectors, so drawn and reshaped vertices can snap to them too.
      var bb = b.getBounds().pad(0.05);
      roadLayer.clearLayers();
      W.getJSON(W.url("roads", {}, { page_size: 2000, in_bbox: [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].join(",") })).then(function (fc) {
        L.geoJSON(fc, { interactive: false, style: { color: "#9e9e9e", weight: 1, opacity: 0.6, className: "snap-road" } }).addTo(roadLayer);
        statusEl.dataset.roads = String(fc.features.length);
      });
      render(); status(st.community.name + W.colon + S.grids.length + " " + gettext("个网格"), false);
      // The colours say where each grid stands against the households range of the profile.
      if (legend) { map.removeControl(legend); }
      legend = W.legend(map, [
        { fill: "#43a047", stroke: "#333", label: gettext("户数在范围内") + " " + S.range[0] + "–" + S.range[1] },
        { fill: "#1e88e5", stroke: "#333", label: gettext("户数过少") + " < " + S.range[0] },
        { fill: "#fb8c00", stroke: "#333", label: gettext("户数过多") + " > " + S.range[1] },
        { fill: ZONE_COLOUR, stroke: "#333", label: gettext("作业或交通网格（不计户数范围）") },
        { fill: "#ff1744", stroke: "#d50000", label: gettext("重叠、缝隙或越界") },
        { line: true, stroke: "#b71c1c", dash: true, width: 3, label: gettext("社区边界") },
        { line: true, stroke: COMMUNITY_LINE, width: 2, label: gettext("其他社区（点击打开）") },
      ], gettext("网格"));
      legend.getContainer().id = "grid-legend";
      runCheck();
    }).catch(function (err) { status(gettext("无法打开社区") + W.colon + err.message); });
  }
  $("community").addEventListener("change", function (e) { if (e.target.value) { open(e.target.value); } });
  // Open another community; unsaved edits are not dropped without asking.
  function open(code) {
    if (code === S.code) { return; }
    if (statusEl.dataset.dirty === "1" && !window.confirm(gettext("有未保存的修改，确定放弃并打开其他社区吗？"))) {
      $("community").value = S.code || ""; return;
    }
    $("community").value = code;
    load(code);
  }
  // A click on the map outside the grids (and outside any drawing) picks the community there.
  map.on("click", function (e) {
    if (mode) { return; }
    var gl = map.wanggeBase && map.wanggeBase.getMaplibreMap();
    if (!gl) { return; }
    var p = gl.project([e.latlng.lng, e.latlng.lat]);
    var hit = gl.queryRenderedFeatures(p, { layers: ["plan-communities-hit"] })[0];
    // Only the communities in the list: those of the planner's scope (others are refused).
    var code = hit && hit.properties.code ? String(hit.properties.code) : "";
    if (code && $("community").querySelector('option[value="' + CSS.escape(code) + '"]')) { open(code); }
  });

  function endMode() {
    mode = null;
    // The double-click that ends a drawn line must not zoom: zooming comes back after it.
    setTimeout(function () { if (mode !== "split") { map.doubleClickZoom.enable(); } }, 400);
    map.pm.disableDraw(); map.pm.disableGlobalEditMode();
    gridLayer.eachLayer(function (l) { if (l.pm) { l.pm.disable(); } });
    boundaryShapes().forEach(function (l) { l.pm.disable(); });
    ["tool-draw", "tool-split", "tool-merge", "tool-reshape", "tool-edge", "tool-boundary"].forEach(function (id) { $(id).classList.remove("active"); });
    map.getContainer().classList.remove("edge-mode");
  }
  $("tool-split").addEventListener("click", function () {
    if (S.selected.length !== 1) { status(gettext("请先选择一个要分割的网格")); return; }
    endMode(); mode = "split"; this.classList.add("active");
    map.doubleClickZoom.disable();
    map.pm.enableDraw("Line", { finishOn: "dblclick", snappable: false });
    status(gettext("从网格外一侧画线穿过网格，双击结束"));
  });
  $("tool-draw").addEventListener("click", function () {
    if (!S.code) { return; }
    endMode(); mode = "draw"; this.classList.add("active");
    map.pm.enableDraw("Polygon", { snappable: true, snapDistance: 15 });
    status(gettext("画出新网格的范围；它会从相邻网格中划出"));
  });
  $("tool-merge").addEventListener("click", function () {
    if (mode === "merge" && S.selected.length >= 2) { doMerge(); return; }
    endMode(); mode = "merge"; this.classList.add("active");
    status(gettext("点选要合并的相邻网格，再点一次“合并”"));
    if (S.selected.length >= 2) { doMerge(); }
  });
  $("tool-reshape").addEventListener("click", function () {
    if (mode === "reshape") { endMode(); status(gettext("已退出调整边界")); return; }
    endMode(); mode = "reshape"; this.classList.add("active");
    render(); status(gettext("拖动顶点调整边界；顶点吸附社区边界、道路和相邻网格"));
  });

  // Moving a point of the community's boundary is saved at once, on the server: the same
  // point moves on the neighbour communities and on every grid holding it (one changeset
  // per community). Local undo cannot span that, so the working copy must be saved first.
  var boundaryFrom = null, boundaryTo = null;
  function boundaryShapes() {
    var out = [];
    boundary.eachLayer(function (g) { (g.eachLayer ? g.eachLayer(function (l) { out.push(l); }) : out.push(g)); });
    return out;
  }
  function drawBoundary(geometry) {
    boundary.clearLayers();
    var b = L.geoJSON(geometry, { style: { color: "#b71c1c", weight: 3, dashArray: "8 4", fill: false }, pmIgnore: false, snapIgnore: false }).addTo(boundary);
    b.eachLayer(function (l) {
      l.on("pm:markerdragstart", function (e) { var p = e.markerEvent.target.getLatLng(); boundaryFrom = L.latLng(p.lat, p.lng); });
      l.on("pm:vertexadded", function (e) { boundaryFrom = L.latLng(e.latlng.lat, e.latlng.lng); });
      l.on("pm:markerdragend", function (e) { var p = e.markerEvent.target.getLatLng(); boundaryTo = L.latLng(p.lat, p.lng); });
      l.on("pm:edit", moveBoundary);
    });
    if (mode === "boundary") { editBoundary(); }
    return b;
  }
  function editBoundary() {
    boundaryShapes().forEach(function (l) { l.pm.enable({ snappable: true, snapDistance: 15, preventMarkerRemoval: true }); });
  }
  function moveBoundary() {
    var from = boundaryFrom, to = boundaryTo;
    boundaryFrom = boundaryTo = null;
    if (!from || !to || from.equals(to, 0)) { return; }
    status(gettext("正在移动社区边界…"));
    W.postJSON(W.url("plan_boundary", { code: S.code }), {
      start: [from.lng, from.lat], end: [to.lng, to.lat], version: S.community.version, base: S.base
    }).then(function (st) {
      S.community = st.community; past = []; future = [];
      drawBoundary(st.community.geometry); applySaved(st);
      statusEl.dataset.saved = String(st.changeset || "");
      statusEl.dataset.communities = st.communities.join(",");
      status(interpolate(gettext("已移动社区边界并保存，改动了 %(n)s 个社区的网格"), { n: st.communities.length }, true), false);
    }).catch(function (err) {
      drawBoundary(S.community.geometry);  // back where the server has it
      status(gettext("无法移动社区边界") + W.colon + err.message);
    });
  }
  $("tool-boundary").addEventListener("click", function () {
    if (mode === "boundary") { endMode(); status(gettext("已退出移动社区边界")); return; }
    if (statusEl.dataset.dirty === "1") { status(gettext("请先保存或撤销未保存的修改，再移动社区边界")); return; }
    endMode(); mode = "boundary"; this.classList.add("active");
    editBoundary();
    status(gettext("拖动社区边界（红色虚线）上的点：相邻社区和两侧的网格随之改变，并立即保存"));
  });

  $("tool-edge").addEventListener("click", function () {
    if (mode === "edge") { endMode(); status(gettext("已退出移动边线")); return; }
    endMode(); mode = "edge"; this.classList.add("active");
    map.getContainer().classList.add("edge-mode");
    status(gettext("按住一条边线拖动：两端随之移动，共用它们的网格一起改变；社区边界上的端点不动"));
  });

  // Move-edge mode: press on an edge and drag; both of its ends move with the pointer on
  // every grid that shares them (the edges meeting them bend to follow). An end on the
  // community's boundary stays where it is: that boundary is fixed here.
  function rings(geometry) {
    var polys = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    return [].concat.apply([], polys);
  }
  function onCommunityBoundary(p) {
    var eps = W.topology.EPS;
    return rings(S.community.geometry).some(function (r) {
      for (var k = 0; k + 1 < r.length; k++) {
        if (Math.abs(r[k][0] - p[0]) <= eps && Math.abs(r[k][1] - p[1]) <= eps) { return true; }
        if (W.topology.onSegment(p, r[k], r[k + 1], eps)) { return true; }
      }
      return false;
    });
  }
  function edgeAt(latlng) {
    var pt = map.latLngToLayerPoint(latlng), best = null, within = 8;  // pixels
    S.grids.forEach(function (g) {
      rings(g.geometry).forEach(function (r) {
        for (var k = 0; k + 1 < r.length; k++) {
          var a = map.latLngToLayerPoint([r[k][1], r[k][0]]), b = map.latLngToLayerPoint([r[k + 1][1], r[k + 1][0]]);
          var d = L.LineUtil.pointToSegmentDistance(pt, a, b);
          if (d < within) { within = d; best = [r[k], r[k + 1]]; }
        }
      });
    });
    return best;
  }
  var edgeDrag = null;
  function shifted(p, from, to) { return [p[0] + to.lng - from.lng, p[1] + to.lat - from.lat]; }
  function endsThatMove(edge) { return edge.filter(function (p) { return !onCommunityBoundary(p); }); }
  map.on("mousedown", function (e) {
    if (mode !== "edge" || !S.community) { return; }
    var edge = edgeAt(e.latlng);
    if (!edge) { return; }
    if (!endsThatMove(edge).length) { status(gettext("这条边线在社区边界上，不能在这里移动")); return; }
    map.dragging.disable();
    edgeDrag = { edge: edge, from: e.latlng, line: L.polyline(edge.map(function (p) { return [p[1], p[0]]; }),
      { color: "#6a1b9a", weight: 4, dashArray: "6 4", interactive: false }).addTo(map) };
  });
  map.on("mousemove", function (e) {
    if (!edgeDrag) { return; }
    var moving = endsThatMove(edgeDrag.edge);
    edgeDrag.line.setLatLngs(edgeDrag.edge.map(function (p) {
      var q = moving.indexOf(p) >= 0 ? shifted(p, edgeDrag.from, e.latlng) : p;
      return [q[1], q[0]];
    }));
  });
  map.on("mouseup", function (e) {
    if (!edgeDrag) { return; }
    var drag = edgeDrag; edgeDrag = null;
    map.removeLayer(drag.line); map.dragging.enable();
    if (drag.from.equals(e.latlng, 0)) { return; }
    var grids = clone(S.grids), touched = {};
    endsThatMove(drag.edge).forEach(function (p) {
      var to = shifted(p, drag.from, e.latlng);
      grids.forEach(function (g, k) {
        var m = W.topology.moveShared(g.geometry, p, to, W.topology.EPS);
        if (m.changed) { g.geometry = m.geometry; touched[k] = true; }
      });
    });
    statusEl.dataset.moved = String(Object.keys(touched).length);
    change("reshape", grids);
  });

  map.on("pm:create", function (e) {
    var drawn = e.layer.toGeoJSON().geometry; map.removeLayer(e.layer);
    var which = mode; endMode();
    if (which === "split") {
      var i = S.selected[0], g = S.grids[i];
      W.postJSON(W.url("plan_split"), { geometry: g.geometry, line: drawn }).then(function (res) {
        var grids = clone(S.grids);
        var pieces = res.pieces.map(function (geom, k) {
          return k === 0 ? { id: g.id, code: g.code, name: g.name, households: g.households, geometry: geom }
                         : { id: null, code: null, name: "", households: 0, geometry: geom };
        });
        grids.splice.apply(grids, [i, 1].concat(pieces));
        change("split", grids);
      }).catch(function (err) { status(gettext("无法分割") + W.colon + err.message); });
    } else if (which === "draw") {
      W.postJSON(W.url("plan_carve", { code: S.code }), { geometry: drawn, others: S.grids.map(function (g) { return g.geometry; }) }).then(function (res) {
        var grids = [];
        S.grids.forEach(function (g, k) { if (res.others[k]) { var c = clone(g); c.geometry = res.others[k]; grids.push(c); } });
        grids.push({ id: null, code: null, name: "", households: 0, geometry: res.geometry });
        change("draw", grids);
      }).catch(function (err) { status(gettext("无法新建") + W.colon + err.message); });
    }
  });
  function doMerge() {
    var idx = S.selected.slice().sort(function (a, b) { return a - b; });
    W.postJSON(W.url("plan_merge"), { geometries: idx.map(function (i) { return S.grids[i].geometry; }) }).then(function (res) {
      var keep = S.grids[idx[0]], grids = S.grids.filter(function (g, k) { return idx.indexOf(k) < 0; });
      grids.splice(idx[0], 0, { id: keep.id, code: keep.code, name: keep.name, households: 0, geometry: res.geometry });
      endMode(); change("merge", grids);
    }).catch(function (err) { status(gettext("无法合并") + W.colon + err.message); });
  }

  $("tool-undo").addEventListener("click", function () {
    if (!past.length) { return; }
    future.push({ grids: clone(S.grids), op: S.lastOp });
    var prev = past.pop(); S.grids = prev.grids; S.lastOp = prev.op; S.selected = [];
    render(); status(gettext("已撤销，未保存"), true); scheduleCheck();
  });
  $("tool-redo").addEventListener("click", function () {
    if (!future.length) { return; }
    past.push({ grids: clone(S.grids), op: S.lastOp });
    var next = future.pop(); S.grids = next.grids; S.lastOp = next.op; S.selected = [];
    render(); status(gettext("已重做，未保存"), true); scheduleCheck();
  });

  function applySaved(st) {
    var byId = {};
    st.grids.features.forEach(function (f) { byId[f.properties.id] = f.properties; });
    S.base = st.base;
    S.grids = st.grids.features.map(fromFeature);
    // Snapshots keep working after a save: grids that still exist keep their ids.
    past.concat(future).forEach(function (snap) { snap.grids.forEach(function (g) { if (g.id && !byId[g.id]) { g.id = null; g.code = null; } }); });
    S.selected = []; render(); runCheck();
  }
  $("tool-save").addEventListener("click", function () {
    status(gettext("正在保存…"));
    W.postJSON(W.url("plan_save", { code: S.code }), { base: S.base, grids: payload(), operation: S.lastOp }).then(function (st) {
      applySaved(st); $("conflict").hidden = true; theirsLayer.clearLayers();
      statusEl.dataset.saved = String(st.changeset || "");
      status(gettext("已保存") + (st.changeset ? " #" + st.changeset : ""), false);
    }).catch(function (err) {
      if (err.status === 409) { showConflict(err.body); return; }
      if (err.body && err.body.findings) { showFindings(err.body.findings); }
      status(gettext("保存失败") + W.colon + err.message, true);
    });
  });
  // A proposal replaces the working copy (unsaved, undoable); the planner adjusts and saves.
  var PROOF = { optimal: gettext("已证明最优"), feasible: gettext("时限内的最好方案，未证明最优"),
                heuristic: gettext("启发式方案") };
  $("tool-propose").addEventListener("click", function () {
    if (!S.code) { return; }
    endMode();
    delete statusEl.dataset.proposed;  // set again when this proposal arrives
    status(gettext("正在计算建议划分…"));
    W.postJSON(W.url("plan_propose", { code: S.code }), {}).then(function (res) {
      change("propose", res.grids.map(function (g) {
        return { id: null, code: null, name: "", geometry: g.geometry, households: Math.round(g.households), zone_type: g.zone_type };
      }));
      statusEl.dataset.proposed = String(res.grids.length);
      status(interpolate(gettext("建议划分为 %(n)s 个网格（%(units)s 个街块单元，%(proof)s），尚未保存：可调整后保存。"),
        { n: res.grids.length, units: res.units, proof: PROOF[res.status] || res.status }, true) +
        (res.split_blocks ? " " + gettext("整块街块无法使网格户数在范围内且均衡，已在楼栋之间拆分部分街块。") : "") +
        (res.reasons.length ? " " + res.reasons.join(" ") : ""), true);
    }).catch(function (err) { status(gettext("无法建议划分") + W.colon + err.message); });
  });
  // Kept proposals (propose_grids --save-as-draft) open like a fresh one: unsaved, undoable.
  function listDrafts(drafts) {
    $("drafts").hidden = !drafts.length;
    $("draft-list").innerHTML = drafts.map(function (d) {
      return '<option value="' + d.id + '">#' + d.id + " · " + esc(W.when(d.at)) + " · " +
        esc(interpolate(gettext("%(n)s 个网格"), { n: d.grids }, true)) + "</option>";
    }).join("");
  }
  $("tool-open-draft").addEventListener("click", function () {
    var id = $("draft-list").value;
    if (!id) { return; }
    endMode();
    delete statusEl.dataset.proposed;
    W.getJSON(W.url("plan_draft", { id: id })).then(function (d) {
      change("propose", d.grids.map(function (g) {
        return { id: null, code: null, name: "", geometry: g.geometry, households: Math.round(g.households), zone_type: g.zone_type };
      }));
      statusEl.dataset.proposed = String(d.grids.length);
      status(interpolate(gettext("已打开草稿 #%(id)s（%(n)s 个网格），尚未保存：可调整后保存。"), { id: d.id, n: d.grids.length }, true), true);
    }).catch(function (err) { status(gettext("无法打开草稿") + W.colon + err.message); });
  });
  $("tool-renumber").addEventListener("click", function () {
    if (!S.code) { return; }
    if (statusEl.dataset.dirty === "1") { status(gettext("请先保存或撤销未保存的修改，再重新编号"), true); return; }
    W.postJSON(W.url("plan_renumber", { code: S.code }), { base: S.base }).then(function (st) {
      applySaved(st);
      statusEl.dataset.saved = String(st.changeset || "");
      status(st.changeset ? interpolate(gettext("已按从西到东、从北到南重新编号 #%(id)s"), { id: st.changeset }, true)
        : gettext("编号已是阅读顺序，未作修改"), false);
    }).catch(function (err) {
      if (err.status === 409) { showConflict(err.body); return; }
      status(gettext("无法重新编号") + W.colon + err.message, true);
    });
  });

  function showConflict(body) {
    theirsLayer.clearLayers();
    L.geoJSON(body.current, { style: { color: "#6a1b9a", weight: 3, dashArray: "6 4", fill: false, className: "theirs-shape" } }).addTo(theirsLayer);
    var box = $("conflict");
    box.innerHTML = "<p><b>" + gettext("保存冲突") + "</b>" + W.colon + esc(body.error.message) + "</p><p>" + gettext("紫色虚线为对方已保存的版本，彩色为您的版本。") + "</p>" +
      '<button type="button" id="take-theirs">' + gettext("采用对方版本") + '</button> <button type="button" id="keep-mine">' + gettext("在对方版本上保存我的修改") + "</button>";
    box.hidden = false;
    status(gettext("保存冲突：别人先保存了这些网格"), true);
    $("take-theirs").onclick = function () { load(S.code); };
    $("keep-mine").onclick = function () {
      var base = {};
      body.current.features.forEach(function (f) { base[f.properties.id] = f.properties.version; });
      // Grids the other editor deleted cannot be kept: they become new grids.
      S.grids.forEach(function (g) { if (g.id && base[g.id] === undefined) { g.id = null; } });
      S.base = base; box.hidden = true; theirsLayer.clearLayers();
      $("tool-save").click();
    };
  }

  function loadHistory(code) {
    $("history-code").textContent = code;
    W.getJSON(W.url("plan_history", { code: code })).then(function (res) {
      $("history").innerHTML = res.changes.length ? res.changes.map(function (c) {
        // What the change did to all its grids: "分割 001 → 001、006，户数 444 → 210 + 234".
        var now = (c.together || []).filter(function (g) { return g.after_households != null; });
        var after = now.length > 1
          ? now.map(function (g) { return esc(g.code.slice(-3)); }).join("、") + W.comma + gettext("户数") + " " +
            (c.before_households == null ? "—" : c.before_households) + " → " + now.map(function (g) { return g.after_households; }).join(" + ")
          : gettext("户数") + " " + (c.before_households == null ? "—" : c.before_households) + " → " + (c.after_households == null ? gettext("删除") : c.after_households);
        return "<li>" + esc(W.when(c.at)) + " · " + esc(c.user || "—") + " · " + esc(c.operation_label) + " " +
          esc(code.slice(-3)) + " → " + after +
          (c.reverted ? " <small>(" + gettext("已撤销") + ")</small>" : ' <button type="button" class="link revert-btn" data-id="' + c.changeset + '">' + gettext("撤回此次修改") + "</button>") + "</li>";
      }).join("") : "<li>" + gettext("暂无修改记录") + "</li>";
    });
  }
  $("history").addEventListener("click", function (e) {
    var b = e.target.closest(".revert-btn");
    if (!b) { return; }
    W.postJSON(W.url("plan_revert", { id: b.dataset.id }), {}).then(function (st) {
      applySaved(st); past = []; future = [];
      status(gettext("已撤回修改") + " #" + b.dataset.id, false);
      loadHistory($("history-code").textContent);
    }).catch(function (err) { status(gettext("无法撤回") + W.colon + err.message); });
  });

  // For keyboard users and tests: a line across a grid in container pixels (west to east).
  window.planner = {
    state: S,
    // A vertex at least n grids share, with its place on screen.
    sharedVertex: function (n) {
      var count = {}, where = {};
      S.grids.forEach(function (g, k) {
        var seen = {};
        (g.geometry.type === "MultiPolygon" ? g.geometry.coordinates : [g.geometry.coordinates]).forEach(function (poly) {
          poly.forEach(function (ring) { ring.forEach(function (p) {
            var key = p[0].toFixed(9) + "," + p[1].toFixed(9);
            if (!seen[key]) { seen[key] = true; count[key] = (count[key] || 0) + 1; where[key] = p; }
          }); });
        });
      });
      // Where three grids meet, the point is inside the community (its boundary is shared by
      // two grids at most in a plan without slivers).
      var inner = Object.keys(count).filter(function (k) { return count[k] >= n; });
      if (!inner.length) { return null; }
      var p = where[inner[0]];
      return { lonlat: p, point: map.latLngToContainerPoint([p[1], p[0]]), grids: count[inner[0]] };
    },
    // An edge two grids share with both ends inside the community: its ends and the
    // container point of its middle.
    innerEdge: function () {
      var seen = {};
      for (var i = 0; i < S.grids.length; i++) {
        var rs = rings(S.grids[i].geometry);
        for (var r = 0; r < rs.length; r++) {
          for (var k = 0; k + 1 < rs[r].length; k++) {
            var a = rs[r][k], b = rs[r][k + 1];
            var key = [a, b].map(function (p) { return p[0].toFixed(9) + "," + p[1].toFixed(9); }).sort().join(";");
            if (seen[key] !== undefined && seen[key] !== i && !onCommunityBoundary(a) && !onCommunityBoundary(b)) {
              var mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
              return { ends: [a, b], lonlat: mid, point: map.latLngToContainerPoint([mid[1], mid[0]]) };
            }
            seen[key] = i;
          }
        }
      }
      return null;
    },
    lineAcross: function (i) {
      var b = L.geoJSON(S.grids[i].geometry).getBounds(), lat = b.getCenter().lat, pad = (b.getEast() - b.getWest()) * 0.2;
      return [map.latLngToContainerPoint([lat, b.getWest() - pad]), map.latLngToContainerPoint([lat, b.getEast() + pad])];
    },
  };
})();
