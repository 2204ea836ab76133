// The upload page: files dropped or chosen, read and extracted for review (/api/extract), then ingested
// (/api/ingest); the session's admin token travels in its HttpOnly cookie, never in the URL.
(function () {
  "use strict";
  var input = document.getElementById("files");
  if (!input) return;
  var drop = document.getElementById("drop"), chosen = document.getElementById("chosen");
  var review = document.getElementById("review"), ingest = document.getElementById("ingest");
  var table = document.getElementById("results"), body = table.querySelector("tbody");
  var status = document.getElementById("status");
  var files = [];

  function list() {
    chosen.innerHTML = "";
    files.forEach(function (f) { var li = document.createElement("li"); li.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " KB)"; chosen.appendChild(li); });
    ingest.disabled = true;
  }
  function take(fl) { files = Array.prototype.slice.call(fl); list(); }
  input.addEventListener("change", function () { take(input.files); });
  ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
  drop.addEventListener("drop", function (e) { take(e.dataTransfer.files); });

  function form() { var fd = new FormData(); files.forEach(function (f) { fd.append("files", f, f.name); }); return fd; }
  function cell(tr, text, href) {
    var td = document.createElement("td");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); } else { td.textContent = text || ""; }
    tr.appendChild(td);
  }
  function post(url) {
    status.textContent = "…";
    return fetch(url, {method: "POST", body: form(), headers: {accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.status); return j; }); })
      .catch(function (e) { status.textContent = String(e.message || e); throw e; });
  }
  review.addEventListener("click", function () {
    if (!files.length) return;
    post("/api/extract").then(function (j) {
      body.innerHTML = ""; table.hidden = false;
      j.items.forEach(function (it) {
        var tr = document.createElement("tr"), x = it.extraction || {}, doc = x.document || x;
        cell(tr, it.file);
        if (!it.ok) { cell(tr, it.error); tr.className = "conflict"; body.appendChild(tr); return; }
        cell(tr, doc.symbol); cell(tr, doc.kind); cell(tr, doc.date); cell(tr, doc.issuer);
        cell(tr, String((x.citations || []).length)); cell(tr, "");
        body.appendChild(tr);
      });
      status.textContent = ""; ingest.disabled = false;
    });
  });
  ingest.addEventListener("click", function () {
    ingest.disabled = true;
    post("/api/ingest").then(function (j) {
      body.innerHTML = ""; table.hidden = false;
      j.items.forEach(function (it) {
        var tr = document.createElement("tr");
        cell(tr, it.name.split("/").pop());
        cell(tr, it.document || "", it.document ? "/documents/" + encodeURIComponent(it.document) : null);
        cell(tr, ""); cell(tr, ""); cell(tr, ""); cell(tr, "");
        cell(tr, it.ok ? "✓" : it.error);
        body.appendChild(tr);
      });
      status.textContent = j.summary;
    });
  });
})();
