import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type Router } from 'express';

// Swagger UI served from the swagger-ui-dist package: the docs page works offline (no CDN).
const assets = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Replaces the package's initializer (which points at the Petstore demo). No validator badge:
// it would call an external service.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

export function docsRouter(): Router {
  const router = express.Router({ strict: true });
  // The page's asset URLs are relative: /docs must become /docs/.
  router.get('/docs', (_req, res) => {
    res.redirect(301, '/docs/');
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send(INITIALIZER);
  });
  router.use('/docs/', express.static(assets, { index: 'index.html', redirect: false, maxAge: '1h' }));
  return router;
}
