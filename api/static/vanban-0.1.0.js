// Search as you type: the box's suggestions come from /api/documents (prefix search), links to the pages.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.dataset.suggest);
    var timer = null, asked = 0, active = -1;
    function hide() { list.hidden = true; list.innerHTML = ""; active = -1; }
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (d) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "/documents/" + encodeURIComponent(d.key);
        a.textContent = (d.symbol || d.title || d.key) + (d.date ? "  ·  " + d.date : "") +
          (d.title && d.symbol ? "  ·  " + d.title.slice(0, 80) : "");
        li.appendChild(a); list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { hide(); return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch("/api/documents?limit=8&prefix=true&q=" + encodeURIComponent(q), {headers: {accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {items: []}; })
          .then(function (body) { if (mine === asked) show(body.items || []); })
          .catch(hide);
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var links = list.querySelectorAll("a");
      if (list.hidden || !links.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (active >= 0) links[active].classList.remove("active");
        active = (active + (e.key === "ArrowDown" ? 1 : links.length - 1)) % links.length;
        links[active].classList.add("active");
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault(); window.location = links[active].href;
      } else if (e.key === "Escape") { hide(); }
    });
    document.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== input) hide(); });
  });
})();
