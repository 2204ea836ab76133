// The API's own documentation page: Swagger UI (vendored, no CDN) over /openapi.json.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
