/**
 * The demo page in a real browser: Chromium (see browser.mjs), driven by playwright-core, against
 * `wrangler dev` (workerd, local D1 and Durable Objects) started as the bench starts it. What only
 * a browser can show: HttpOnly cookies out of scripts' reach, a cookie jar shared by tabs, reloads.
 * The tests run in order and share one browser profile, like one person's visit.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import {
  createTempDir,
  filesContaining,
  outputPath,
  removeDir,
  startService,
  type Service,
} from './harness.mjs'

// Two cores shared with other test runs: generous, but every wait has a bound.
const ACTION_TIMEOUT_MS = 20_000
const NAVIGATION_TIMEOUT_MS = 30_000

interface Browser {
  context: BrowserContext
  /** Uncaught page errors and console errors other than failed requests (CSP violations land here). */
  problems: string[]
  close(): Promise<void>
}

let service: Service
let launch: Awaited<ReturnType<typeof chromiumLaunchOptions>>
const browsers: Browser[] = []

/** A fresh Chromium profile in a temp directory: one "device". */
async function openBrowser(): Promise<Browser> {
  const dir = await createTempDir('edge-session-chromium-')
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: launch.executablePath,
    headless: true,
    args: launch.args,
    timeout: NAVIGATION_TIMEOUT_MS,
    viewport: { width: 1100, height: 900 },
  })
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS)
  const problems: string[] = []
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      // The browser logs every non-2xx fetch; those are asserted on where they matter.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        problems.push(`console: ${message.text()}`)
    })
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  const browser: Browser = {
    context,
    problems,
    async close() {
      await context.close().catch(() => undefined)
      await removeDir(dir)
    },
  }
  browsers.push(browser)
  return browser
}

async function firstPage(browser: Browser): Promise<Page> {
  return browser.context.pages()[0] ?? browser.context.newPage()
}

/** Waits until the page's script has finished its current action (`body[data-state=ready]`). */
async function ready(page: Page): Promise<void> {
  await page.locator('body[data-state="ready"]').waitFor({ timeout: ACTION_TIMEOUT_MS })
}

async function openDemo(page: Page): Promise<void> {
  await page.goto(`${service.baseUrl}/`)
  await ready(page)
}

async function reload(page: Page): Promise<void> {
  await page.reload()
  await ready(page)
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim()

/** Who the page says we are. */
async function shown(page: Page) {
  return {
    userId: await text(page, '#user-id'),
    kind: await text(page, '#user-kind'),
    email: await text(page, '#user-email'),
    sessionId: await text(page, '#session-id'),
  }
}

async function errorShown(page: Page): Promise<string | null> {
  return (await page.locator('#error').isVisible()) ? text(page, '#error') : null
}

/** Uses the page's own forms: request a link, then sign in with the one in the dev outbox. */
async function signInByMagicLink(page: Page, email: string): Promise<void> {
  await page.fill('#email', email)
  await page.click('#send-link')
  await ready(page)
  expect(await text(page, '#link-status')).toContain('mailed')
  await page.click('#sign-in')
  await ready(page)
  expect(await errorShown(page)).toBeNull()
}

/** Statuses of this origin's responses while `action` runs. */
async function statusesDuring(pages: Page[], action: () => Promise<unknown>) {
  const seen: Array<{ url: string; status: number }> = []
  const record = (res: { url(): string; status(): number }) =>
    seen.push({ url: new URL(res.url()).pathname, status: res.status() })
  for (const page of pages) page.on('response', record)
  try {
    await action()
  } finally {
    for (const page of pages) page.off('response', record)
  }
  return seen
}

const email = `demo-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`
let me: Browser
let tabA: Page
let tabB: Page
let anonymousId: string
let accountId: string

beforeAll(async () => {
  launch = await chromiumLaunchOptions()
  service = await startService({
    extraArgs: [
      '--var',
      'DEMO:true',
      '--var',
      'RATE_LIMITS:false',
      // Plain http on loopback: cookies without Secure and without the __Host- prefix.
      '--var',
      'COOKIE_SECURE:false',
    ],
  })
  me = await openBrowser()
  tabA = await firstPage(me)
})

afterAll(async () => {
  for (const browser of browsers) await browser.close()
  await service?.stop()
})

describe('the demo page in Chromium', () => {
  it('starts an anonymous session kept in HttpOnly cookies that scripts cannot read', async () => {
    await openDemo(tabA)
    const who = await shown(tabA)
    expect(who.userId).toMatch(/^anon_[0-9a-z]{26}$/)
    expect(who.kind).toBe('anonymous')
    anonymousId = who.userId

    const cookies = await me.context.cookies(service.baseUrl)
    const byName = new Map(cookies.map((c) => [c.name, c]))
    for (const name of ['access', 'session']) {
      expect(byName.get(name)).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    }
    expect(await tabA.evaluate('document.cookie')).toBe('')
    expect(me.problems).toEqual([])
  })

  it('keeps the same anonymous user across a reload', async () => {
    const before = await shown(tabA)
    await reload(tabA)
    expect(await shown(tabA)).toEqual(before)
    expect(before.userId).toBe(anonymousId)
  })

  it('keeps two tabs signed in when both refresh at once', async () => {
    tabB = await me.context.newPage()
    await openDemo(tabB)
    expect((await shown(tabB)).userId).toBe(anonymousId)
    const sessionCookie = async () =>
      (await me.context.cookies(service.baseUrl)).find((c) => c.name === 'session')?.value

    const before = await sessionCookie()
    // Without the access cookie each tab's first request refreshes from the session cookie, both
    // presenting the same refresh token: the server's grace window gives both the same new pair.
    await me.context.clearCookies({ name: 'access' })
    const seen = await statusesDuring([tabA, tabB], () => Promise.all([reload(tabA), reload(tabB)]))
    expect(seen.filter((r) => r.status === 401)).toEqual([])
    expect(seen.filter((r) => r.url === '/v1/me').map((r) => r.status)).toEqual([200, 200])
    const [a, b] = [await shown(tabA), await shown(tabB)]
    expect(a.userId).toBe(anonymousId)
    expect(b).toEqual(a)
    expect(await sessionCookie()).not.toBe(before)

    // Harder: both tabs fire three requests at once with no access cookie.
    await me.context.clearCookies({ name: 'access' })
    const burst = `Promise.all([1, 2, 3].map(() => fetch('/v1/me').then((r) => r.status)))`
    const statuses = await Promise.all([tabA.evaluate(burst), tabB.evaluate(burst)])
    expect(statuses).toEqual([
      [200, 200, 200],
      [200, 200, 200],
    ])
    await reload(tabA)
    expect((await shown(tabA)).userId).toBe(anonymousId)
    expect(me.problems).toEqual([])
  })

  it('shows an API error with its code and message', async () => {
    await tabA.fill('#email', 'not-an-email')
    await tabA.click('#send-link')
    await ready(tabA)
    const error = await errorShown(tabA)
    expect(error).toContain('invalid_request')
    expect(error).toContain('HTTP 400')
    expect(error).toMatch(/email/)
  })

  it('carries a preference and a document over when signing in by magic link', async () => {
    await tabA.selectOption('#theme', 'dark')
    await tabA.click('#save-theme')
    await ready(tabA)
    await tabA.fill('#doc-title', 'Made before signing in')
    await tabA.fill('#doc-content', 'Anonymous notes that should follow me.')
    await tabA.click('#create-doc')
    await ready(tabA)
    expect(await text(tabA, '#documents')).toContain('Made before signing in')

    await signInByMagicLink(tabA, email)
    const merge = JSON.parse(await text(tabA, '#merge')) as {
      from: string
      into: string
      moved: Record<string, number>
    }
    const who = await shown(tabA)
    expect(who).toMatchObject({ kind: 'account', email })
    expect(who.userId).toMatch(/^usr_/)
    accountId = who.userId
    expect(merge).toMatchObject({
      from: anonymousId,
      into: accountId,
      moved: { preferences: 1, documents: 1 },
    })
    expect(JSON.parse(await text(tabA, '#preferences'))).toEqual({ theme: 'dark' })
    expect(await text(tabA, '#documents')).toContain('Made before signing in')
    await tabA.screenshot({ path: await outputPath('demo.png'), fullPage: true })

    // Still there after a reload, and the other tab is the account too.
    await reload(tabA)
    expect(await shown(tabA)).toMatchObject({ userId: accountId, kind: 'account' })
    expect(await text(tabA, '#documents')).toContain('Made before signing in')
    await reload(tabB)
    expect((await shown(tabB)).userId).toBe(accountId)
    expect(me.problems).toEqual([])
  })

  it('logs every tab and device out when asked to log out everywhere', async () => {
    const phone = await openBrowser()
    const phoneTab = await firstPage(phone)
    await openDemo(phoneTab)
    await signInByMagicLink(phoneTab, email)
    expect((await shown(phoneTab)).userId).toBe(accountId)
    expect(await tabA.locator('#sessions li').count()).toBeGreaterThanOrEqual(1)

    await tabA.click('#logout-all')
    await ready(tabA)
    const after = await shown(tabA)
    expect(after.kind).toBe('anonymous')
    expect(after.userId).not.toBe(accountId)

    // The other tab shares this browser's cookies: a new anonymous user, the one tab A now has.
    await reload(tabB)
    expect(await shown(tabB)).toMatchObject({ userId: after.userId, kind: 'anonymous' })
    // The other device's access cookie has not expired yet, but its session is gone: the SDK's
    // refresh fails and it starts a new anonymous user of its own, with no error left showing.
    await reload(phoneTab)
    const phoneAfter = await shown(phoneTab)
    expect(phoneAfter.kind).toBe('anonymous')
    expect([accountId, after.userId]).not.toContain(phoneAfter.userId)
    expect(await errorShown(phoneTab)).toBeNull()
    expect(me.problems).toEqual([])
    expect(phone.problems).toEqual([])
  })

  it('opens a mailed link naming its account, and no server-side record holds its token', async () => {
    const linkEmail = `link-${Date.now()}@example.com`
    const asked = await fetch(`${service.baseUrl}/v1/auth/magic-link`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Session-Transport': 'token' },
      body: JSON.stringify({ email: linkEmail }),
    })
    expect(asked.status).toBe(202)
    const outbox = await fetch(`${service.baseUrl}/v1/dev/outbox?to=${linkEmail}`)
    const [message] = (
      (await outbox.json()) as { messages: Array<{ link: string; token: string }> }
    ).messages
    const mailed = new URL(message!.link)
    expect(mailed.hash).toBe(`#token=${message!.token}`)

    const device = await openBrowser()
    const page = await firstPage(device)
    await page.goto(`${service.baseUrl}${mailed.pathname}${mailed.hash}`)
    await page.locator('#go:not([hidden])').waitFor()
    expect(await text(page, '#account')).toBe(`Sign in as ${linkEmail.slice(0, 2)}•••@example.com.`)
    expect(await text(page, '#status')).toContain('asked for in another browser')
    // The script took the token out of the address bar before anything else.
    expect(page.url()).toBe(`${service.baseUrl}${mailed.pathname}`)
    await page.click('#go')
    await page.locator('#status', { hasText: 'You are signed in' }).waitFor()
    expect(device.problems).toEqual([])

    // The local observability store records every request's URL (the page's path is there),
    // yet nowhere in the service's state or log is the token, except the dev outbox in D1.
    const observability = `${service.stateDir}/v3/observability`
    expect(await filesContaining(observability, mailed.pathname)).not.toEqual([])
    const holders = await filesContaining(service.stateDir, message!.token)
    expect(holders.filter((path) => !path.includes('/d1/'))).toEqual([])
    expect(await filesContaining(await outputPath('.'), message!.token).catch(() => [])).toEqual([])
  })

  it('registers in the page: anonymous until the mailed code confirms it, then its work carries over', async () => {
    const person = await openBrowser()
    const page = await firstPage(person)
    await openDemo(page)
    const before = await shown(page)
    await page.fill('#doc-title', 'Made before registering')
    await page.click('#create-doc')
    await ready(page)

    const regEmail = `reg-${Date.now()}@example.com`
    await page.fill('#reg-email', regEmail)
    await page.fill('#reg-password', 'a long enough passphrase 42')
    await page.click('#register')
    await ready(page)
    expect(await text(page, '#register-status')).toContain('confirmation was mailed')
    // Registering proved nothing: the page is still the same anonymous user.
    expect(await shown(page)).toMatchObject({ userId: before.userId, kind: 'anonymous' })

    await page.click('#fill-code')
    await ready(page)
    await page.click('#confirm')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    const after = await shown(page)
    expect(after).toMatchObject({ kind: 'account', email: regEmail, sessionId: before.sessionId })
    expect(JSON.parse(await text(page, '#merge'))).toMatchObject({
      from: before.userId,
      into: after.userId,
      moved: { documents: 1 },
    })
    expect(person.problems).toEqual([])
  })

  it('confirms a registration opened in another browser without the password chosen there', async () => {
    const regEmail = `elsewhere-${Date.now()}@example.com`
    const password = 'a long enough passphrase 42'
    const post = (path: string, body: unknown) =>
      fetch(`${service.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Session-Transport': 'token' },
        body: JSON.stringify(body),
      })
    const anonymous = (await (await post('/v1/sessions/anonymous', {})).json()) as {
      tokens: { refreshToken: string }
    }
    const asked = await post('/v1/auth/register', {
      email: regEmail,
      password,
      refreshToken: anonymous.tokens.refreshToken,
    })
    expect(asked.status).toBe(202)
    const outbox = await fetch(`${service.baseUrl}/v1/dev/outbox?to=${regEmail}`)
    const [message] = ((await outbox.json()) as { messages: Array<{ link: string }> }).messages
    const mailed = new URL(message!.link)

    const device = await openBrowser()
    const page = await firstPage(device)
    await page.goto(`${service.baseUrl}${mailed.pathname}${mailed.hash}`)
    await page.locator('#go:not([hidden])').waitFor()
    expect(await text(page, '#title')).toBe('Confirm your email')
    expect(await text(page, '#status')).toContain('the password chosen there is not kept')
    await page.click('#go')
    await page.locator('#status', { hasText: 'Your account is ready' }).waitFor()
    expect(device.problems).toEqual([])
    const login = await post('/v1/auth/login', { email: regEmail, password })
    expect(login.status).toBe(401)
  })
})
