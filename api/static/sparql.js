// The SPARQL page: YASGUI (vendored, no CDN) pointed at this endpoint, with an example query.
const endpoint = window.location.origin + window.location.pathname;
new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: endpoint, method: "POST" },
  copyEndpointOnNewTab: true,
  endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
  yasqe: {
    value: "PREFIX vb: <https://w3id.org/vanban/ontology#>\n" +
      "SELECT DISTINCT ?doc ?symbol WHERE {\n  ?doc vb:implements+ <https://w3id.org/vanban/doc/tw/nq/2021/02> .\n" +
      "  OPTIONAL { ?doc vb:symbol ?symbol }\n}"
  }
});
