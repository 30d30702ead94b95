/**
 * Sign-in with an OpenID provider on the demo page in Chromium, through the real redirects: the
 * service is configured with oidc-provider on loopback as a generic issuer, and each browser
 * fills in the provider's own login and consent pages. An anonymous visitor with a document signs
 * in and keeps it in a new account; the same identity from a new browser process lands in that
 * account; an anonymous visitor whose identity already has an account ends up in it with their
 * document merged once; a redirect outside the allow-list is refused before anyone leaves; and
 * the React example's <SignIn/> goes there and back, `useSession()` showing the account, and asks
 * for the authenticator code when the identity's account has an app.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret, TOTP } from 'otpauth'
import { chromiumLaunchOptions } from './browser.mjs'
import { createTempDir, removeDir, startService, type Service } from './harness.mjs'
import { oidcProviderArgs, startOidcIssuer, type OidcIssuer } from './oidc-issuer.mjs'

const ACTION_TIMEOUT_MS = 20_000
const NAVIGATION_TIMEOUT_MS = 30_000
const PROVIDER = { id: 'loopback', name: 'Loopback ID' }

/** The authenticator app's code `offsetSteps` periods from now. */
const codeAt = (secret: string, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 })
// One identity at the provider for the whole file: the accounts it signs in to must be one.
const LOGIN = `visitor-${Date.now().toString(36)}`

interface Visitor {
  page: Page
  problems: string[]
  close(): Promise<void>
}

// The last provider callback each page went through (its URL carries the code and state).
const callbacks = new WeakMap<Page, string>()
const lastCallback = (page: Page): string => {
  const url = callbacks.get(page)
  if (!url) throw new Error('this page went through no provider callback')
  return url
}

let service: Service
let issuer: OidcIssuer
let launch: Awaited<ReturnType<typeof chromiumLaunchOptions>>
const visitors: Visitor[] = []
let accountId = ''

/** A Chromium process of its own: its own cookies, at the service and at the provider. */
async function openVisitor(): Promise<Visitor> {
  const dir = await createTempDir('edge-session-provider-')
  const context: BrowserContext = await chromium.launchPersistentContext(dir, {
    executablePath: launch.executablePath,
    headless: true,
    args: launch.args,
    timeout: NAVIGATION_TIMEOUT_MS,
  })
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS)
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('request', (request) => {
    if (request.url().includes(`/v1/auth/providers/${PROVIDER.id}/callback`))
      callbacks.set(page, request.url())
  })
  const visitor = {
    page,
    problems,
    async close() {
      await context.close().catch(() => undefined)
      await removeDir(dir)
    },
  }
  visitors.push(visitor)
  return visitor
}

const ready = (page: Page) =>
  page.locator('body[data-state="ready"]').waitFor({ timeout: ACTION_TIMEOUT_MS })

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim()

const documentTitles = (page: Page) => page.locator('#documents li strong').allTextContents()

async function errorShown(page: Page): Promise<string | null> {
  return (await page.locator('#error').isVisible()) ? text(page, '#error') : null
}

/** Opens the demo as a new anonymous visitor and makes a document there. */
async function anonymousWithDocument(page: Page, title: string): Promise<string> {
  await page.goto(`${service.baseUrl}/`)
  await ready(page)
  expect(await text(page, '#user-kind')).toBe('anonymous')
  await page.locator('#doc-title').fill(title)
  await page.locator('#create-doc').click()
  await page.locator('#documents li strong', { hasText: title }).waitFor()
  return text(page, '#user-id')
}

/** "Continue with Loopback ID", the provider's login and consent pages, and back to the service. */
async function signInAtProvider(page: Page, settled = ready): Promise<void> {
  await page.getByRole('button', { name: `Continue with ${PROVIDER.name}` }).click()
  await page.waitForURL(`${issuer.issuer}/**`)
  // oidc-provider's development pages: any login and password, then consent.
  await page.locator('input[name="login"]').fill(LOGIN)
  await page.locator('input[name="password"]').fill('any password at all')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  const consent = page.getByRole('button', { name: 'Continue' })
  // A browser that consented before goes straight back; a new one is asked.
  await Promise.race([
    consent.click(),
    page.waitForURL(`${service.baseUrl}/**`, { timeout: NAVIGATION_TIMEOUT_MS }),
  ])
  await page.waitForURL(`${service.baseUrl}/**`)
  await settled(page)
}

beforeAll(async () => {
  launch = await chromiumLaunchOptions()
  issuer = await startOidcIssuer()
  service = await startService({
    extraArgs: [
      '--var',
      'DEMO:true',
      '--var',
      'RATE_LIMITS:false',
      '--var',
      'COOKIE_SECURE:false',
      ...oidcProviderArgs(issuer.issuer, [PROVIDER]),
    ],
  })
  issuer.allowCallbacksTo(service.baseUrl, [PROVIDER.id])
})

afterAll(async () => {
  for (const visitor of visitors) await visitor.close()
  await service?.stop()
  await issuer?.close()
})

describe('sign-in with an OpenID provider in Chromium', () => {
  it('takes an anonymous visitor and their document into a new account', async () => {
    const { page, problems } = await openVisitor()
    const anonymousId = await anonymousWithDocument(page, 'Written before the provider')
    expect(anonymousId).toMatch(/^anon_/)

    await signInAtProvider(page)
    expect(await errorShown(page)).toBeNull()
    expect(new URL(page.url()).search).toBe('')
    expect(await text(page, '#user-kind')).toBe('account')
    accountId = await text(page, '#user-id')
    expect(accountId).toMatch(/^usr_/)
    expect(await text(page, '#user-email')).toBe(`${LOGIN}@oidc.example`)
    expect(await documentTitles(page)).toEqual(['Written before the provider'])
    // Signed in, the provider is offered for linking instead; the identity is listed.
    await page.getByRole('button', { name: `Link ${PROVIDER.name}` }).waitFor()
    expect(await page.locator('#identities li strong').allTextContents()).toEqual([PROVIDER.id])
    expect(problems).toEqual([])
  })

  it('signs the same identity in to the same account from a new browser process', async () => {
    const { page, problems } = await openVisitor()
    await page.goto(`${service.baseUrl}/`)
    await ready(page)
    expect(await text(page, '#user-kind')).toBe('anonymous')

    await signInAtProvider(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-id')).toBe(accountId)
    expect(await documentTitles(page)).toEqual(['Written before the provider'])
    expect(problems).toEqual([])
  })

  it("merges an anonymous visitor's document once into the account the identity has", async () => {
    const { page, problems } = await openVisitor()
    await anonymousWithDocument(page, 'Written by a returning visitor')

    await signInAtProvider(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-id')).toBe(accountId)
    const titles = await documentTitles(page)
    expect([...titles].sort()).toEqual([
      'Written before the provider',
      'Written by a returning visitor',
    ])

    // The provider's answer replayed (the callback URL with its code and state again): refused,
    // and nothing merges a second time.
    await page.goto(lastCallback(page))
    await page.goto(`${service.baseUrl}/`)
    await ready(page)
    expect(await text(page, '#user-id')).toBe(accountId)
    expect(await documentTitles(page)).toEqual(titles)
    expect(problems).toEqual([])
  })

  it('refuses a redirect outside the allow-list before the browser leaves the page', async () => {
    const { page, problems } = await openVisitor()
    await page.goto(`${service.baseUrl}/`)
    await ready(page)
    // The demo's own SDK bundle, asked in the page as an app would (a string: no DOM types here).
    const refused = await page.evaluate(`(async () => {
      const { createSessionClient } = await import('/demo/client.js')
      const client = createSessionClient({ baseUrl: location.origin, tabChannel: false })
      return client
        .signInWith('${PROVIDER.id}', { redirectTo: 'https://elsewhere.example/' })
        .then(() => null, (error) => ({ status: error.status, code: error.code }))
    })()`)
    expect(refused).toEqual({ status: 400, code: 'redirect_not_allowed' })
    expect(new URL(page.url()).origin).toBe(service.baseUrl)
    expect(problems).toEqual([])
  })

  it("shows a provider's refusal (?error=) on the page it returned to, once", async () => {
    const { page, problems } = await openVisitor()
    await page.goto(`${service.baseUrl}/?error=session_required`)
    await ready(page)
    expect(await errorShown(page)).toContain('session_required')
    expect(new URL(page.url()).search).toBe('')
    await page.reload()
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(problems).toEqual([])
  })

  it("signs in from <SignIn/>'s button, and useSession() shows the account after the redirect", async () => {
    const { page, problems } = await openVisitor()
    const status = (name: string) => page.locator(`main[data-status="${name}"]`).waitFor()
    await page.goto(`${service.baseUrl}/react/#prebuilt`)
    await status('anonymous')

    await signInAtProvider(page, () => status('account'))
    expect(new URL(page.url()).hash).toBe('#prebuilt')
    expect(await page.locator('#signed-in-email').textContent()).toBe(`${LOGIN}@oidc.example`)
    expect(problems).toEqual([])
  })
  it("asks for the authenticator code in <SignIn/> when the provider's account has an app", async () => {
    // The identity's account (signed in by the test above, moments ago) sets up an app.
    const enrolling = visitors.at(-1)!.page
    const asAccount = (path: string, body: unknown) =>
      enrolling.evaluate(
        async ([path, body]) => {
          const res = await fetch(path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          })
          return { status: res.status, body: (await res.json()) as { secret?: string } }
        },
        [path, body] as const,
      )
    const enrolled = await asAccount('/v1/me/factors/totp', {})
    expect(enrolled.status).toBe(200)
    const secret = enrolled.body.secret!
    expect((await asAccount('/v1/me/factors/totp/confirm', { code: codeAt(secret) })).status).toBe(
      200,
    )

    const { page, problems } = await openVisitor()
    const status = (name: string) => page.locator(`main[data-status="${name}"]`).waitFor()
    await page.goto(`${service.baseUrl}/react/#prebuilt`)
    await status('anonymous')
    const codeField = page.getByLabel('Code from your authenticator app')
    await signInAtProvider(page, () => codeField.waitFor())
    expect(await page.locator('.es-sign-in').getAttribute('data-es-step')).toBe('second-factor')
    // Back where it started (its fragment kept), the challenge taken out of the address.
    expect(new URL(page.url()).hash).toBe('#prebuilt')
    expect(new URL(page.url()).searchParams.has('second_factor')).toBe(false)
    await codeField.fill(codeAt(secret, 1))
    await page.getByRole('button', { name: 'Verify' }).click()
    await status('account')
    expect(await page.locator('#signed-in-email').textContent()).toBe(`${LOGIN}@oidc.example`)
    expect(problems).toEqual([])
  })
})
