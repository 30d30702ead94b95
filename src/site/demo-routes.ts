/**
 * The demo page (`GET /`) and its two scripts, and the React example (`GET /react/`, built from
 * examples/react by scripts/build-assets.mjs) with its one script, mounted only with `DEMO=true`,
 * served from static assets (public/demo/, public/react/). They serve a person in a browser, not the JSON contract, so they stay out
 * of the OpenAPI document (and so out of the suites generated from it). CSP: scripts only from this
 * origin, the one inline stylesheet by nonce, fetches only to this origin, no framing, no forms.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { pageCsp, serveAsset, servePage } from './static-assets'

export const demoRoutes = new Hono<AppEnv>()
  .get('/', (c) => servePage(c, '/demo/index.html', (nonce) => pageCsp(nonce)))
  .get('/demo/client.js', (c) => serveAsset(c, '/demo/client.js'))
  .get('/demo/app.js', (c) => serveAsset(c, '/demo/app.js'))
  .get('/react', (c) => c.redirect('/react/'))
  .get('/react/', (c) => servePage(c, '/react/index.html', (nonce) => pageCsp(nonce)))
  .get('/react/app.js', (c) => serveAsset(c, '/react/app.js'))
