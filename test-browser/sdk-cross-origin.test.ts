/**
 * The SDK across origins in Chromium, where CORS is the browser's own: a page whose origin the
 * service does not allow gets `cors_refused` naming ALLOWED_ORIGINS (not "did not reach the
 * server"), a service that is down gets `network_error`, and cookie transport from a page on
 * another site warns once in the console. The page is served from its own port and opened as
 * `localhost` while the service is `127.0.0.1` (a real `wrangler dev` with no ALLOWED_ORIGINS):
 * the set-up that misleads people, cross origin and cross site.
 */
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleClient } from '../scripts/build-assets.mjs'
import { chromiumLaunchOptions } from './browser.mjs'
import { sparePort, startService, type Service } from './harness.mjs'
import { serveFetch, type FetchServer } from './serve-fetch.mjs'

let service: Service
let browser: Browser
let page: Page
let pageServer: FetchServer
let pageOrigin: string
const warnings: string[] = []

beforeAll(async () => {
  const [launch, client] = await Promise.all([chromiumLaunchOptions(), bundleClient()])
  service = await startService({ extraArgs: ['--var', 'COOKIE_SECURE:false'] })
  browser = await chromium.launch({ executablePath: launch.executablePath, args: launch.args })
  page = await (await browser.newContext()).newPage()
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text())
  })
  pageServer = await serveFetch(async (request) =>
    new URL(request.url).pathname === '/client.js'
      ? new Response(client.code, { headers: { 'Content-Type': 'text/javascript' } })
      : new Response('<!doctype html><title>page</title>', {
          headers: { 'Content-Type': 'text/html' },
        }),
  )
  pageOrigin = pageServer.origin.replace('127.0.0.1', 'localhost')
  expect(service.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/)
  await page.goto(`${pageOrigin}/`)
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await pageServer?.close()
  await service?.stop()
})

/** `client.me()` in the page against `baseUrl`: how it failed, or `ok`. */
function meFrom(baseUrl: string, transport: 'cookie' | 'token') {
  // A string, not a function: vitest would rewrite a function's `import()` for Node.
  return page.evaluate<{ code: string; message: string }>(`(async () => {
    const sdk = await import('${pageOrigin}/client.js')
    const client = sdk.createSessionClient({
      baseUrl: ${JSON.stringify(baseUrl)},
      transport: ${JSON.stringify(transport)},
      tabChannel: false,
    })
    try {
      await client.me()
      return { code: 'ok', message: '' }
    } catch (error) {
      return { code: error.code, message: error.message }
    }
  })()`)
}

describe('the SDK from a page the service does not allow', () => {
  it('reports cors_refused, naming ALLOWED_ORIGINS, when the service answered', async () => {
    const failed = await meFrom(service.baseUrl, 'token')
    expect(failed.code).toBe('cors_refused')
    expect(failed.message).toContain('ALLOWED_ORIGINS')
  })

  it('reports network_error when nothing answers', async () => {
    const down = `http://127.0.0.1:${await sparePort()}`
    expect((await meFrom(down, 'token')).code).toBe('network_error')
  })

  it('warns once, with cookie transport to another site', async () => {
    expect(warnings.filter((w) => w.includes('different sites'))).toEqual([])
    await meFrom(service.baseUrl, 'cookie')
    await meFrom(service.baseUrl, 'cookie')
    const crossSite = warnings.filter((w) => w.includes('different sites'))
    expect(crossSite).toHaveLength(1)
    expect(crossSite[0]).toContain(pageOrigin)
    expect(crossSite[0]).toContain('SameSite=Lax')
  })
})
