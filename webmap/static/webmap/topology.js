// Grids of a community form one planar partition: a vertex several grids share is one point.
// When the planner drags it on one grid, the same point moves on every other grid, and a
// neighbour whose edge merely passes through it (a T-junction) gains the moved point too, so
// no gap or overlap opens. The server still re-checks the tiling on save.
(function () {
  "use strict";
  var W = window.W = window.W || {};

  function near(a, b, eps) { return Math.abs(a[0] - b[0]) <= eps && Math.abs(a[1] - b[1]) <= eps; }

  // Is p on the open segment (a, b), within eps (degrees)?
  function onSegment(p, a, b, eps) {
    var dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    if (len2 === 0) { return false; }
    var t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
    if (t <= 0 || t >= 1) { return false; }
    var x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
    return x * x + y * y <= eps * eps;
  }

  function moveRing(ring, from, to, eps) {
    var out = [], changed = false;
    for (var k = 0; k < ring.length; k++) {
      var p = ring[k];
      if (near(p, from, eps)) { out.push([to[0], to[1]]); changed = true; continue; }
      if (k > 0 && !near(ring[k - 1], from, eps) && onSegment(from, ring[k - 1], p, eps)) {
        out.push([to[0], to[1]]); changed = true;
      }
      out.push(p);
    }
    return { ring: out, changed: changed };
  }

  // A new Polygon/MultiPolygon geometry with the point `from` moved to `to` ([lon, lat]),
  // and whether anything moved.
  function moveShared(geometry, from, to, eps) {
    var changed = false;
    function polygon(rings) {
      return rings.map(function (r) { var m = moveRing(r, from, to, eps); changed = changed || m.changed; return m.ring; });
    }
    var coords = geometry.type === "MultiPolygon" ? geometry.coordinates.map(polygon) : polygon(geometry.coordinates);
    return { geometry: { type: geometry.type, coordinates: coords }, changed: changed };
  }

  // The neighbours (before, after) of point p in the first ring of geometry holding it.
  function around(geometry, p, eps) {
    var polys = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    for (var a = 0; a < polys.length; a++) {
      for (var r = 0; r < polys[a].length; r++) {
        var ring = polys[a][r], n = ring.length - 1;  // the last point closes the ring
        for (var k = 0; k < n; k++) {
          if (near(ring[k], p, eps)) { return [ring[(k - 1 + n) % n], ring[(k + 1) % n]]; }
        }
      }
    }
    return null;
  }

  // A new geometry without the point p where its neighbours are a and b (in either order):
  // the edge a–b then runs where the grid that removed p now runs, so no gap opens.
  function removeShared(geometry, p, a, b, eps) {
    var changed = false;
    function ring(r) {
      var n = r.length - 1, keep = [];
      for (var k = 0; k < n; k++) {
        var prev = r[(k - 1 + n) % n], next = r[(k + 1) % n];
        if (near(r[k], p, eps) && ((near(prev, a, eps) && near(next, b, eps)) || (near(prev, b, eps) && near(next, a, eps))) && n > 3) {
          changed = true; continue;
        }
        keep.push(r[k]);
      }
      keep.push([keep[0][0], keep[0][1]]);
      return keep;
    }
    function polygon(rings) { return rings.map(ring); }
    var coords = geometry.type === "MultiPolygon" ? geometry.coordinates.map(polygon) : polygon(geometry.coordinates);
    return { geometry: { type: geometry.type, coordinates: coords }, changed: changed };
  }

  W.topology = { moveShared: moveShared, removeShared: removeShared, around: around, onSegment: onSegment, EPS: 1e-7 };
})();
