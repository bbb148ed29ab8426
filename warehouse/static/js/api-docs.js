// Start Swagger UI on the API page; kept in a file so the page needs no inline script.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Tags start folded: rendering all 180-odd operations at once stalls the page, and a reader
    // opens the one resource they came for. The schema list is long too, and folded away.
    docExpansion: "none",
    defaultModelsExpandDepth: -1,
    tryItOutEnabled: false,
    validatorUrl: null  // never call the public validator: the depot's network is offline
  });
}());
