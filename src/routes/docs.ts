/**
 * `/docs`: the API reference, rendered in the browser by Redoc from /openapi.json. The page and
 * the pinned renderer are static assets (public/docs/, filled by scripts/build-assets.mjs), so they
 * work offline and add nothing to the Worker bundle. CSP: scripts only from this origin; styles
 * from this origin, the page's own by nonce, and the renderer's injected ones (it writes <style>
 * elements at run time and offers no nonce hook, hence 'unsafe-inline' for styles only); no
 * third-party origin anywhere.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { serveAsset, servePage } from '../http/static-assets'

const docsCsp = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')

export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => servePage(c, '/docs/index.html', docsCsp))
  .get('/docs/redoc.standalone.js', (c) => serveAsset(c, '/docs/redoc.standalone.js'))
