// The user's background jobs: progress while they run (polled every 2 s), the file when done.
(function () {
  "use strict";
  var esc = W.esc, $ = function (id) { return document.getElementById(id); };
  var jobs = JSON.parse($("jobs-data").textContent);
  function size(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }
  function row(j) {
    var progress = j.status === "running" || j.status === "queued"
      ? '<progress max="' + Math.max(j.total, 1) + '" value="' + j.done + '"></progress> ' +
        esc(j.done + "/" + j.total) + (j.phase ? " · " + esc(j.phase_label) : "")
      : (j.status === "done" ? "100%" : "");
    var note = j.message;
    if (j.attempts > 1 && !note) { note = interpolate(gettext("第 %s 次尝试（上一次中断）"), [j.attempts]); }
    return "<tr data-id=\"" + esc(j.id) + "\" data-status=\"" + esc(j.status) + "\">" +
      "<td>" + esc(j.id) + "</td><td>" + esc(W.when(j.created_at)) + "</td>" +
      "<td>" + esc(j.kind_label) + "</td><td>" + esc(j.scope || gettext("全市")) + "</td>" +
      "<td>" + esc(j.format) + "</td><td class=\"status\">" + esc(j.status_label) + "</td>" +
      "<td>" + progress + "</td><td>" + esc(note) + "</td>" +
      "<td>" + (j.download ? '<a href="' + esc(j.download) + '" download>' + esc(j.filename) + "</a> (" + size(j.size) + ")" : "") + "</td>" +
      "<td>" + (j.cancel ? '<button type="button" class="cancel" data-url="' + esc(j.cancel) + '">' + esc(gettext("取消")) + "</button>" : "") + "</td></tr>";
  }
  function draw() {
    $("jobs").querySelector("tbody").innerHTML = jobs.map(row).join("");
    $("jobs-empty").hidden = jobs.length > 0;
    $("jobs").hidden = jobs.length === 0;
  }
  function busy() { return jobs.some(function (j) { return j.status === "queued" || j.status === "running"; }); }
  function poll() {
    if (!busy()) { return; }
    W.getJSON(W.url("jobs", {}, { format: "json" })).then(function (body) {
      jobs = body.jobs; draw(); $("jobs-status").textContent = "";
    }).catch(function (err) {
      $("jobs-status").textContent = gettext("暂时无法刷新：") + err.message;
    }).then(function () { setTimeout(poll, 2000); });
  }
  $("jobs").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.cancel");
    if (!b) { return; }
    b.disabled = true;
    W.postJSON(b.dataset.url, {}).then(function (body) {
      jobs = jobs.map(function (j) { return j.id === body.job.id ? body.job : j; }); draw();
    }).catch(function (err) { $("jobs-status").textContent = err.message; b.disabled = false; });
  });
  draw();
  setTimeout(poll, 2000);
})();
