/**
 * The demo page (`GET /`) and its two scripts, mounted only with `DEMO=true`. They serve a person
 * in a browser, not the JSON contract, so they stay out of the OpenAPI document (and so out of
 * the suites generated from it). CSP: scripts only from this origin, the one inline stylesheet by
 * nonce, fetches only to this origin, no framing, no forms posting anywhere.
 */
import { Hono, type Context } from 'hono'
import { CLIENT_JS, DEMO_APP_JS } from '../demo/assets'
import { demoPage } from '../demo/page'
import { randomBytes, toBase64Url } from '../encoding'
import type { AppEnv } from '../http/app-env'

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

/** A script answer: the right MIME type (the app sends `nosniff`), revalidated on every load. */
function script(c: Context<AppEnv>, body: string) {
  c.header('Content-Type', 'text/javascript; charset=utf-8')
  c.header('Cache-Control', 'no-cache')
  return c.body(body, 200)
}

export const demoRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    const nonce = toBase64Url(randomBytes(16))
    c.header('Content-Security-Policy', pageCsp(nonce))
    c.header('Cache-Control', 'no-store')
    return c.html(demoPage(nonce), 200)
  })
  .get('/demo/client.js', (c) => script(c, CLIENT_JS))
  .get('/demo/app.js', (c) => script(c, DEMO_APP_JS))
