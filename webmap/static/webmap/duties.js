// Members' "五个一": completion per community on the map and in a table, who is behind,
// recording one activity and importing a sheet of them.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var shares = L.featureGroup();
  var overlays = {}; overlays[gettext("“五个一”完成率")] = shares;
  var map = W.makeMap($("map"), { zoom: 12, overlays: overlays, onShift: function () { load(); } });
  shares.addTo(map);
  var BREAKS = [0, 0.2, 0.4, 0.6, 0.8], COLOURS = ["#b71c1c", "#ef6c00", "#fdd835", "#9ccc65", "#2e7d32"];
  function colour(v) {
    if (v == null) { return "#bdbdbd"; }
    var c = COLOURS[0];
    BREAKS.forEach(function (b, i) { if (v >= b) { c = COLOURS[i]; } });
    return c;
  }
  var legend = W.legend(map, BREAKS.map(function (b, i) {
    return { fill: COLOURS[i], stroke: "#424242", label: i + 1 < BREAKS.length ? Math.round(b * 100) + "–" + Math.round(BREAKS[i + 1] * 100) + "%" : "≥ " + Math.round(b * 100) + "%" };
  }).concat([{ fill: "#bdbdbd", stroke: "#424242", label: gettext("无报到党员") }]), gettext("全部完成的党员占比"), true);
  legend.getContainer().id = "legend";

  var data = null, SHOWN = 300;
  function pct(v) { return v == null ? "—" : (100 * v).toFixed(0) + "%"; }
  function query(extra) {
    var q = { scope: $("scope").value, year: $("year").value };
    if ($("unmask") && $("unmask").checked) { q.unmask = 1; }
    Object.keys(extra || {}).forEach(function (k) { q[k] = extra[k]; });
    return q;
  }
  function links() {
    $("csv-behind").href = W.url("duties", {}, query({ output: "csv", behind: 1 }));
    $("csv-all").href = W.url("duties", {}, query({ output: "csv" }));
  }
  function communities() {
    var kinds = data.duties;
    $("table-communities").innerHTML = "<thead><tr><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("报到党员")) + "</th><th>" + esc(gettext("全部完成")) + "</th><th>" + esc(gettext("完成率")) + "</th>" +
      kinds.map(function (d) { return "<th title=\"" + esc(interpolate(gettext("未完成“%s”的党员"), [d.label])) + "\">" + esc(interpolate(gettext("缺%s"), [d.short])) + "</th>"; }).join("") + "</tr></thead><tbody>" +
      data.communities.map(function (c) {
        return "<tr data-code=\"" + esc(c.code) + "\"><td>" + esc(c.name) + "</td><td" + (c.over_cap ? " class=\"breach\" title=\"" + esc(interpolate(gettext("超过 %s 名上限"), [data.member_cap])) + "\"" : "") + ">" + c.members + "</td><td>" + c.complete +
          "</td><td><meter min=\"0\" max=\"1\" low=\"0.4\" high=\"0.8\" optimum=\"1\" value=\"" + (c.share == null ? 0 : c.share) + "\"></meter> " + pct(c.share) + "</td>" +
          kinds.map(function (d) { return "<td>" + c["lacking_" + d.kind] + "</td>"; }).join("") + "</tr>";
      }).join("") + "</tbody>";
  }
  function behind() {
    var f = ($("filter").value || "").trim().toLowerCase();
    var rows = data.members.filter(function (m) {
      return !m.complete && (!f || (m.name + " " + m.id + " " + m.community).toLowerCase().indexOf(f) >= 0);
    });
    $("table-behind").innerHTML = "<thead><tr><th>" + esc(gettext("党员编号")) + "</th><th>" + esc(gettext("姓名")) + "</th><th>" + esc(gettext("社区")) + "</th><th>" + esc(gettext("完成度")) + "</th><th>" + esc(gettext("未完成")) + "</th></tr></thead><tbody>" +
      rows.slice(0, SHOWN).map(function (m) {
        return "<tr><td>" + esc(m.id) + "</td><td>" + esc(m.name) + "</td><td>" + esc(m.community) + "</td><td>" + pct(m.progress) + "</td><td>" + esc(m.missing_labels.join(gettext("、"))) + "</td></tr>";
      }).join("") + "</tbody>";
    $("behind-more").textContent = rows.length > SHOWN ? interpolate(gettext("共 %s 名，只列出前 %s 名；全部请导出 CSV。"), [rows.length, SHOWN]) : "";
  }
  function load() {
    links();
    $("summary").textContent = gettext("正在计算…");
    shares.clearLayers();
    return Promise.all([
      W.getJSON(W.url("communities", {}, { page_size: 2000, code: $("scope").value })),
      W.getJSON(W.url("duties", {}, query())),
    ]).then(function (res) {
      var geo = res[0]; data = res[1];
      var byCode = {}; data.communities.forEach(function (c) { byCode[c.code] = c; });
      var layer = W.geoJSON(geo, {
        style: function (f) { var c = byCode[f.properties.code] || {}; return { color: "#555", weight: 1, fillColor: colour(c.share), fillOpacity: 0.65, className: "duty-shape" }; },
        onEachFeature: function (f, l) {
          var c = byCode[f.properties.code];
          if (!c) { return; }
          l.bindPopup("<b>" + esc(c.name) + "</b><br>" + esc(interpolate(gettext("报到党员 %s 名，全部完成 %s 名（%s）"), [c.members, c.complete, pct(c.share)])));
        },
      }).addTo(shares);
      if (layer.getBounds().isValid()) { map.wanggeFramed = true; map.fitBounds(layer.getBounds()); }
      $("map").dataset.choropleth = String(geo.features.length);
      var s = data.summary;
      $("summary").innerHTML = esc(interpolate(gettext("%s 年：报到党员 %s 名，全部完成 %s 名（%s），未完成 %s 名；共登记活动 %s 次。"),
        [data.year, s.members, s.complete, pct(s.share), s.behind, s.activities]));
      communities(); behind();
    }).catch(function (err) { $("summary").textContent = gettext("加载失败") + W.colon + err.message; });
  }
  $("scope-form").addEventListener("submit", function (e) { e.preventDefault(); load(); });
  $("filter").addEventListener("input", function () { if (data) { behind(); } });
  if ($("unmask")) { $("unmask").addEventListener("change", load); }
  W.tabs();

  // Recording: the member's activities of the year are listed, each with a delete button.
  // The member's activities of one year (default: the year the page shows).
  var asked = 0;  // only the latest question's answer is drawn (answers may cross)
  function memberActivities(member, year) {
    var mine = ++asked;
    return W.getJSON(W.url("activities", {}, { member: member, year: year || $("year").value })).then(function (body) {
      if (mine !== asked) { return; }
      $("table-member").innerHTML = "<thead><tr><th>" + esc(gettext("日期")) + "</th><th>" + esc(gettext("活动类型")) + "</th><th>" + esc(gettext("说明")) + "</th><th></th></tr></thead><tbody>" +
        body.activities.map(function (a) {
          return "<tr><td>" + esc(a.on) + "</td><td>" + esc(a.kind_label) + "</td><td>" + esc(a.note) + "</td><td><button type=\"button\" class=\"delete\" data-id=\"" + esc(a.id) + "\" data-version=\"" + esc(a.version) + "\" data-member=\"" + esc(a.member) + "\">" + esc(gettext("删除")) + "</button></td></tr>";
        }).join("") + "</tbody>";
    });
  }
  var form = $("record-form");
  if (form) {
    form.elements.on.max = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);  // Beijing day
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { member: Number(form.elements.member.value), kind: form.elements.kind.value, on: form.elements.on.value, note: form.elements.note.value };
      $("record-status").textContent = gettext("正在保存…");
      W.postJSON(W.url("activities"), body).then(function (a) {
        $("record-status").textContent = interpolate(gettext("已登记：党员 %s，%s，%s"), [a.member, a.kind_label, a.on]);
        return memberActivities(a.member, a.on.slice(0, 4)).then(load);
      }).catch(function (err) { $("record-status").textContent = err.message; });
    });
    form.elements.member.addEventListener("change", function () {
      if (form.elements.member.value) { memberActivities(form.elements.member.value).catch(function (err) { $("record-status").textContent = err.message; }); }
    });
    $("table-member").addEventListener("click", function (ev) {
      var b = ev.target.closest("button.delete");
      if (!b || !window.confirm(gettext("删除这条活动记录？"))) { return; }
      fetch(W.url("activity", { id: b.dataset.id }, { version: b.dataset.version }), {
        method: "DELETE", credentials: "same-origin",
        headers: { "X-CSRFToken": (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "" },
      }).then(function (r) {
        if (!r.ok) { return r.json().then(function (body) { throw new Error(body.error.message); }); }
        $("record-status").textContent = gettext("已删除");
        return memberActivities(b.dataset.member).then(load);
      }).catch(function (err) { $("record-status").textContent = err.message; });
    });
  }

  // Importing: check first, then import; the problems listed by row as the sheet numbers them.
  if ($("import-form")) { W.sheetUpload($("import-form"), "activities", $("import-status"), $("table-problems"), load); }
  load();
})();
