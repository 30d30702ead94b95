/**
 * The demo page (`GET /`) and its two scripts, mounted only with `DEMO=true`, served from static
 * assets (public/demo/). They serve a person in a browser, not the JSON contract, so they stay out
 * of the OpenAPI document (and so out of the suites generated from it). CSP: scripts only from this
 * origin, the one inline stylesheet by nonce, fetches only to this origin, no framing, no forms.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env'
import { serveAsset, servePage } from '../http/static-assets'

const pageCsp = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')

export const demoRoutes = new Hono<AppEnv>()
  .get('/', (c) => servePage(c, '/demo/index.html', pageCsp))
  .get('/demo/client.js', (c) => serveAsset(c, '/demo/client.js'))
  .get('/demo/app.js', (c) => serveAsset(c, '/demo/app.js'))
