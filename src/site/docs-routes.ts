/**
 * `/docs`: the API reference, rendered in the browser by Redoc from /openapi.json. The page and
 * the pinned renderer are static assets (public/docs/, filled by scripts/build-assets.mjs), so they
 * work offline and add nothing to the Worker bundle. CSP: scripts only from this origin, styles
 * only by nonce (the renderer's styled-components reads it from the page's `csp-nonce` meta tag),
 * no third-party origin anywhere.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { pageCsp, serveAsset, servePage } from './static-assets'

/** The renderer also loads fonts inline and may run its search in a worker. */
const docsCsp = (nonce: string) =>
  pageCsp(nonce, ["font-src 'self' data:", "worker-src 'self' blob:"])

export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => servePage(c, '/docs/index.html', docsCsp))
  .get('/docs/redoc.standalone.js', (c) => serveAsset(c, '/docs/redoc.standalone.js'))
