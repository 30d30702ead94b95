/**
 * The demo page's routes in the Worker: absent by default, and with DEMO=true a static page (from
 * static assets, public/demo/) under a strict CSP plus the two scripts it loads. test-browser/ drives the page in Chromium.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/app'
import { api, BASE, expectError, runtime } from '../../helpers'

async function demoApp() {
  const rt = await runtime()
  return await createApp({ ...rt, settings: { ...rt.settings, DEMO: true } })
}

describe('the demo page', () => {
  it('is a 404 unless DEMO is true', async () => {
    await expectError(await api('/'), 404, 'not_found')
    await expectError(await api('/demo/client.js'), 404, 'not_found')
  })

  it('serves static HTML under a CSP that allows only same-origin scripts', async () => {
    const app = await demoApp()
    const res = await app.request(`${BASE}/`, {}, env)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    const nonce = /style-src 'nonce-([\w-]+)'/.exec(csp)?.[1]
    const page = await res.text()
    expect(nonce).toBeTruthy()
    expect(page).toContain(`<style nonce="${nonce}">`)
    // Every script is a file from this origin; none is inline.
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script type="module" src="/demo/app.js">',
    ])
    // A new nonce each time.
    const again = await app.request(`${BASE}/`, {}, env)
    expect(again.headers.get('content-security-policy')).not.toBe(csp)
  })

  it('serves the SDK as one self-contained module and the page script that imports it', async () => {
    const app = await demoApp()
    const sdk = await app.request(`${BASE}/demo/client.js`, {}, env)
    expect(sdk.status).toBe(200)
    expect(sdk.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(sdk.headers.get('x-content-type-options')).toBe('nosniff')
    const code = await sdk.text()
    expect(code).toMatch(/export\s*\{[^}]*createSessionClient/)
    expect(code).not.toMatch(/^import\b/m)

    const script = await (await app.request(`${BASE}/demo/app.js`, {}, env)).text()
    expect(script).toContain("from './client.js'")
  })

  it('serves the React example (built from examples/react) and its one script, the same way', async () => {
    await expectError(await api('/react/'), 404, 'not_found')
    const app = await demoApp()
    const res = await app.request(`${BASE}/react/`, {}, env)
    expect(res.status).toBe(200)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    const nonce = /style-src 'nonce-([\w-]+)'/.exec(csp)?.[1]
    const page = await res.text()
    expect(page).toContain(`<style nonce="${nonce}">`)
    expect([...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script type="module" crossorigin src="/react/app.js">',
    ])
    const script = await app.request(`${BASE}/react/app.js`, {}, env)
    expect(script.status).toBe(200)
    expect(await script.text()).toContain('SessionClientError')
    expect((await app.request(`${BASE}/react`, {}, env)).headers.get('location')).toBe('/react/')
  })
})
