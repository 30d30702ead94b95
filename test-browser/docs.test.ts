/**
 * /docs in a real browser with the network cut off: every request to anything but the local
 * service is aborted, and the reference must still render from the self-hosted renderer, under
 * its CSP, with no request leaving the machine.
 */
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import { startService, type Service } from './harness.mjs'

let service: Service
let browser: Browser

beforeAll(async () => {
  const launch = await chromiumLaunchOptions()
  service = await startService()
  browser = await chromium.launch({ executablePath: launch.executablePath, args: launch.args })
})

afterAll(async () => {
  await browser?.close()
  await service?.stop()
})

describe('/docs', () => {
  it('renders the API reference offline: nothing is fetched from another origin', async () => {
    const page = await browser.newPage()
    const elsewhere: string[] = []
    const problems: string[] = []
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith(`${service.baseUrl}/`)) return route.continue()
      elsewhere.push(url)
      return route.abort('internetdisconnected')
    })
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      // A CSP refusal (the renderer's badge once loaded its logo from its vendor's CDN) is one too.
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })

    const res = await page.goto(`${service.baseUrl}/docs`, { waitUntil: 'networkidle' })
    expect(res?.status()).toBe(200)
    // The document's title and version and a tag from /openapi.json, rendered by the renderer.
    await page.getByRole('heading', { name: /edge-session \(\d/ }).waitFor()
    await page.getByText('Admin', { exact: true }).first().waitFor()
    await expect(page.title()).resolves.toBe('edge-session API')
    expect(elsewhere).toEqual([])
    expect(problems).toEqual([])
    await page.screenshot({ path: 'test/output/docs.png' })
  })
})
