// The SPARQL page: YASGUI (vendored, no CDN) pointed at this endpoint, one tab per example query of
// data/queries (embedded in the page as JSON); tabs are not kept between visits.
const endpoint = window.location.origin + window.location.pathname;
const examples = JSON.parse(document.getElementById("examples").textContent || "[]");
// no autocompleter that asks prefix.cc or LOV: this page runs where there is no internet
Yasgui.Yasqe.defaults.autocompleters = ["variables"];
const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: endpoint, method: "POST" },
  copyEndpointOnNewTab: true,
  persistenceId: null,
  endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
  yasqe: { value: examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" }
});
const first = yasgui.getTab();
if (first && examples.length) { first.setName(examples[0].name); }
examples.slice(1).forEach(function (ex) {
  yasgui.addTab(false, { name: ex.name, yasqe: { value: ex.query } });
});
