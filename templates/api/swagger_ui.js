"use strict";

// The standalone layout draws the top bar, whose list switches between the parts' schemas.
SwaggerUIBundle({
  ...{{ settings|safe }},
  urls: {{ definitions|safe }},
  "urls.primaryName": {{ primary_definition|safe }},
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  // Its logo is drawn with an inline style, which the Content Security Policy refuses.
  plugins: [() => ({ components: { Logo: () => null } })],
  // That layout would show a badge from swagger.io's validator, sent our schema's address.
  validatorUrl: null,
  // "Try it out" sends the session cookie; Django wants its CSRF token with every write.
  requestInterceptor: (request) => {
    if (!["GET", "HEAD", "OPTIONS", undefined].includes(request.method)) {
      request.headers["{{ csrf_header_name|escapejs }}"] = "{{ csrf_token|escapejs }}";
    }
    return request;
  },
});
