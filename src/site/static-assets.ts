/**
 * Answers from Workers Static Assets (wrangler.toml `[assets]`, directory public/): the demo page
 * and /docs with their scripts. Every request reaches the Worker first (`run_worker_first`), so
 * these pages get the app's headers, a per-answer CSP nonce and the DEMO switch like any route,
 * while their bytes stay out of the Worker bundle.
 */
import type { Context } from 'hono'
import { randomBytes, toBase64Url } from '../platform/encoding'
import { notFound } from '../platform/errors'
import type { AppEnv } from '../http/app-env'

/**
 * A page's CSP: nothing by default, scripts only from this origin (none inline), styles only by
 * this answer's nonce, fetches only to this origin, no framing, no form posting; `extra` adds
 * directives a page needs beyond that.
 */
export function pageCsp(nonce: string, extra: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    ...extra,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** The asset at `path`, or a 404 in the contract's shape when there is none (or no binding). */
export async function fetchAsset(c: Context<AppEnv>, path: string): Promise<Response> {
  const assets = c.var.rt.assets
  const res = assets ? await assets.fetch(new URL(path, c.req.url)) : null
  if (!res?.ok) throw notFound('The page')
  return res
}

/** A script or other file from public/, revalidated on every load, with a mutable copy of headers. */
export async function serveAsset(c: Context<AppEnv>, path: string): Promise<Response> {
  const res = await fetchAsset(c, path)
  const headers = new Headers(res.headers)
  headers.set('Cache-Control', 'no-cache')
  return new Response(res.body, { status: 200, headers })
}

/**
 * An HTML page from public/ under `csp(nonce)`: every `<style nonce>`, `<script nonce>` and
 * `<meta nonce>` (a renderer's `csp-nonce`) in it gets this answer's fresh nonce, so nothing
 * inline runs unless the page file put it there.
 */
export async function servePage(
  c: Context<AppEnv>,
  path: string,
  csp: (nonce: string) => string,
): Promise<Response> {
  const nonce = toBase64Url(randomBytes(16))
  const page = new HTMLRewriter()
    .on('style[nonce], script[nonce], meta[nonce]', {
      element: (element) => void element.setAttribute('nonce', nonce),
    })
    .transform(await fetchAsset(c, path))
  return new Response(page.body, {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp(nonce),
      'Cache-Control': 'no-store',
    },
  })
}
