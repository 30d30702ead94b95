/**
 * The demo page (`GET /`) and its two scripts, mounted only with `DEMO=true`, served from static
 * assets (public/demo/). They serve a person in a browser, not the JSON contract, so they stay out
 * of the OpenAPI document (and so out of the suites generated from it). CSP: scripts only from this
 * origin, the one inline stylesheet by nonce, fetches only to this origin, no framing, no forms.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { pageCsp, serveAsset, servePage } from '../http/static-assets'

export const demoRoutes = new Hono<AppEnv>()
  .get('/', (c) => servePage(c, '/demo/index.html', (nonce) => pageCsp(nonce)))
  .get('/demo/client.js', (c) => serveAsset(c, '/demo/client.js'))
  .get('/demo/app.js', (c) => serveAsset(c, '/demo/app.js'))
