/**
 * The React example (examples/react, served at /react/ with DEMO=true) in Chromium: two tabs of
 * one browser against one `wrangler dev`. A magic-link sign-in in one tab shows in the other
 * without a reload and without polling, sign-out everywhere empties both, a reload keeps the
 * user, and a registration becomes the account once its mailed code is typed. The tests run in order, like one person's visit.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import { createTempDir, outputPath, removeDir, startService, type Service } from './harness.mjs'

// Two cores shared with other test runs: generous, but every wait has a bound.
const ACTION_TIMEOUT_MS = 20_000
const NAVIGATION_TIMEOUT_MS = 30_000

let service: Service
let context: BrowserContext
let profileDir: string
let tabA: Page
let tabB: Page
/** Uncaught page errors and console errors other than failed requests (CSP violations land here). */
const problems: string[] = []
const email = `react-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
let anonymousId: string
let accountId: string

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim()

/** Waits until the page's useSession() status is `status`. */
const settled = (page: Page, status: string) =>
  page.locator(`main[data-status="${status}"]`).waitFor({ timeout: ACTION_TIMEOUT_MS })

async function openExample(page: Page): Promise<void> {
  await page.goto(`${service.baseUrl}/react/`)
  await settled(page, 'anonymous')
}

/** This origin's requests a page makes while `action` runs, as `METHOD /path`. */
async function requestsDuring(page: Page, action: () => Promise<unknown>) {
  const seen: string[] = []
  const record = (req: { method(): string; url(): string }) => {
    const url = new URL(req.url())
    if (url.origin === service.baseUrl) seen.push(`${req.method()} ${url.pathname}`)
  }
  page.on('request', record)
  try {
    await action()
  } finally {
    page.off('request', record)
  }
  return seen
}

/** A mark only this document has: still there afterwards means the page was not reloaded. */
const markDocument = (page: Page) => page.evaluate('window.__notReloaded = true')
const stillSameDocument = (page: Page) => page.evaluate('window.__notReloaded === true')

beforeAll(async () => {
  const launch = await chromiumLaunchOptions()
  service = await startService({
    extraArgs: ['--var', 'DEMO:true', '--var', 'RATE_LIMITS:false', '--var', 'COOKIE_SECURE:false'],
  })
  profileDir = await createTempDir('edge-session-chromium-')
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: launch.executablePath,
    headless: true,
    args: launch.args,
    timeout: NAVIGATION_TIMEOUT_MS,
  })
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS)
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`)
    })
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  tabA = context.pages()[0] ?? (await context.newPage())
  tabB = await context.newPage()
})

afterAll(async () => {
  await context?.close().catch(() => undefined)
  if (profileDir) await removeDir(profileDir)
  await service?.stop()
})

describe('the React example in two tabs of Chromium', () => {
  it('starts one anonymous user that both tabs show', async () => {
    await openExample(tabA)
    anonymousId = await text(tabA, '#user-id')
    expect(anonymousId).toMatch(/^anon_/)
    await openExample(tabB)
    expect(await text(tabB, '#user-id')).toBe(anonymousId)
    expect(problems).toEqual([])
  })

  it('shows a magic-link sign-in made in one tab in the other, without a reload or polling', async () => {
    await tabA.click('#dark')
    await tabA.locator('#preferences', { hasText: 'dark' }).waitFor()
    await tabA.fill('#doc-title', 'Made before signing in')
    await tabA.click('#create-doc')
    await tabA.locator('#documents li', { hasText: 'Made before signing in' }).waitFor()
    await markDocument(tabB)

    const seenByB = await requestsDuring(tabB, async () => {
      await tabA.fill('#email', email)
      await tabA.click('#send-link')
      await tabA.locator('#send-link:not([disabled])').waitFor()
      await tabA.click('#sign-in')
      await settled(tabA, 'account')
      await settled(tabB, 'account')
      // Tab B's sections follow the new user: its merged document and preference show.
      await tabB.locator('#documents li', { hasText: 'Made before signing in' }).waitFor()
      await tabB.locator('#preferences', { hasText: 'dark' }).waitFor()
    })
    accountId = await text(tabA, '#user-id')
    expect(accountId).toMatch(/^usr_/)
    expect(await text(tabA, '#user-email')).toBe(email)
    expect(JSON.parse(await text(tabA, '#merge'))).toMatchObject({ preferences: 1, documents: 1 })
    expect(await text(tabB, '#user-id')).toBe(accountId)
    expect(await text(tabB, '#user-email')).toBe(email)
    // The same merge report, carried by the other tab's message.
    expect(await text(tabB, '#merge')).toBe(await text(tabA, '#merge'))
    expect(await stillSameDocument(tabB)).toBe(true)
    // One look-up of who it is now, then its sections' own data; nothing repeated.
    expect(seenByB.filter((r) => r === 'GET /v1/me')).toEqual(['GET /v1/me'])
    expect(seenByB.filter((r) => r === 'POST /v1/auth/refresh')).toEqual([])
    await tabA.screenshot({ path: await outputPath('react-example.png'), fullPage: true })
    expect(problems).toEqual([])
  })

  it('keeps the account across a reload', async () => {
    await tabB.reload()
    await settled(tabB, 'account')
    expect(await text(tabB, '#user-id')).toBe(accountId)
    await tabB.locator('#sessions li', { hasText: '(this browser)' }).waitFor()
  })

  it('empties both tabs when one signs out everywhere', async () => {
    await markDocument(tabB)
    const seenByB = await requestsDuring(tabB, async () => {
      await tabA.click('#logout-all')
      await settled(tabA, 'signed_out')
      await settled(tabB, 'signed_out')
    })
    for (const tab of [tabA, tabB]) {
      expect(await text(tab, '#user-id')).toBe('')
      expect(await tab.locator('#documents').count()).toBe(0)
    }
    expect(await stillSameDocument(tabB)).toBe(true)
    expect(seenByB).toEqual([])
    // A reload starts a new anonymous user, not the account.
    await tabB.reload()
    await settled(tabB, 'anonymous')
    expect([anonymousId, accountId]).not.toContain(await text(tabB, '#user-id'))
    expect(problems).toEqual([])
  })

  it('registers, stays anonymous in both tabs, and becomes the account when the code is typed', async () => {
    await tabA.reload()
    await settled(tabA, 'anonymous')
    const anonymous = await text(tabA, '#user-id')
    expect(await text(tabB, '#user-id')).toBe(anonymous)
    const regEmail = `react-reg-${Date.now()}@example.com`
    await tabA.fill('#reg-email', regEmail)
    await tabA.fill('#reg-password', 'a long enough passphrase 42')
    await tabA.click('#register')
    await tabA.locator('#register-sent').waitFor()
    expect(await text(tabA, '#status')).toBe('anonymous')
    expect(await text(tabA, '#user-id')).toBe(anonymous)

    await tabA.click('#fill-code')
    await expect
      .poll(() => tabA.inputValue('#reg-code'), { timeout: ACTION_TIMEOUT_MS })
      .toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    await tabA.click('#confirm')
    await settled(tabA, 'account')
    await settled(tabB, 'account')
    expect(await text(tabA, '#user-email')).toBe(regEmail)
    expect(await text(tabB, '#user-id')).toBe(await text(tabA, '#user-id'))
    expect(problems).toEqual([])
  })
})
