// The lineage diagram (cytoscape.js + cytoscape-dagre, vendored): basis above, implementers below, edges
// coloured by relation. A click on an edge shows its quotes with links to the highlighted source text, on a
// document opens it, on a group (a large lineage starts collapsed) expands it.
(function () {
  "use strict";
  var box = document.getElementById("cy");
  if (!box || typeof cytoscape === "undefined") return;
  var css = getComputedStyle(document.documentElement);
  function colour(rel) { return (css.getPropertyValue("--" + rel) || "#999").trim(); }
  var words = {open: box.dataset.open || "Mở văn bản nguồn", none: box.dataset.none || "—", expand: box.dataset.expand || "+"};
  var relationWords = JSON.parse(box.dataset.relations || "{}");
  var panel = document.getElementById("edge-body");
  var expanded = [];
  var sources = {};

  function elements(data) {
    var els = [];
    data.nodes.forEach(function (n) { els.push({group: "nodes", data: n, classes: (n.group ? "group" : "") + (n.root ? " root" : "") + (n.ingested ? " ingested" : "")}); });
    data.edges.forEach(function (e) { els.push({group: "edges", data: e}); });
    return els;
  }

  function showEdge(e) {
    if (!panel) return;
    var d = e.data(), src = e.source().data(), dst = e.target().data();
    panel.innerHTML = "";
    var head = document.createElement("p");
    var rel = document.createElement("span");
    rel.className = "rel rel-" + d.relation; rel.textContent = relationWords[d.relation] || d.relation;
    head.append(src.label + " ", rel, " " + dst.label + (d.count > 1 ? " (" + d.count + ")" : ""));
    panel.appendChild(head);
    (d.quotes || []).forEach(function (q) {
      var bq = document.createElement("blockquote");
      bq.className = "quote"; bq.textContent = q.quote + " ";
      var source = sources[q.stated_in];
      if (source) {
        var a = document.createElement("a");
        a.className = "src"; a.textContent = words.open;
        a.href = "/sources/" + encodeURIComponent(source) + "?start=" + q.start + "&end=" + q.end + "#hl";
        bq.appendChild(a);
      }
      panel.appendChild(bq);
    });
    if (!(d.quotes || []).length) { var p = document.createElement("p"); p.className = "muted"; p.textContent = words.none; panel.appendChild(p); }
  }

  function draw(data) {
    sources = data.sources || {};
    var cy = cytoscape({
      container: box, elements: elements(data), maxZoom: 1.4, minZoom: 0.05,
      style: [
        {selector: "node", style: {"label": "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 120,
          "background-color": "#9aa0a6", "width": 14, "height": 14, "text-valign": "bottom", "color": "#1d2330",
          "text-margin-y": 3, "text-background-color": "#f7f8fa", "text-background-opacity": 0.9, "text-background-padding": 1}},
        {selector: "node.ingested", style: {"background-color": "#1d2330"}},
        {selector: "node.root", style: {"background-color": "#b3261e", "width": 22, "height": 22, "font-weight": "bold"}},
        {selector: "node.group", style: {"shape": "round-rectangle", "background-color": "#fff", "border-width": 2,
          "border-color": "#b3261e", "width": 60, "height": 22, "text-valign": "center", "font-size": 10}},
        {selector: "edge", style: {"width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.8,
          "line-color": function (e) { return colour(e.data("relation")); },
          "target-arrow-color": function (e) { return colour(e.data("relation")); }}},
        {selector: "edge:selected", style: {"width": 4}}
      ],
      layout: {name: "dagre", rankDir: "BT", nodeSep: 12, rankSep: 60, animate: false}
    });
    cy.on("tap", "edge", function (ev) { showEdge(ev.target); });
    cy.on("tap", "node", function (ev) {
      var d = ev.target.data();
      if (d.group) { if (expanded.indexOf(d.id) < 0) { expanded.push(d.id); load(); } }
      else if (!d.root && box.dataset.key !== undefined) { window.location = "/documents/" + encodeURIComponent(d.id); }
      else if (box.dataset.path !== undefined) { window.location = "/documents/" + encodeURIComponent(d.id); }
    });
    window.vanbanDiagram = cy;  // for the browser tests and the curious
    box.dataset.ready = "true";
  }

  function load() {
    fetch("/documents/" + encodeURIComponent(box.dataset.key) + "/diagram.json?expand=" + encodeURIComponent(expanded.join(",")),
          {headers: {accept: "application/json"}})
      .then(function (r) { return r.json(); }).then(draw);
  }

  if (typeof cytoscapeDagre !== "undefined") cytoscape.use(cytoscapeDagre);
  if (box.dataset.path) { draw(JSON.parse(box.dataset.path)); } else { load(); }
})();
