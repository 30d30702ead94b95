/**
 * Passkeys on the demo page in Chromium, with CDP's virtual authenticator (CTAP2, internal,
 * resident keys and user verification): an anonymous visitor with a document creates an account
 * with a passkey alone and keeps the document; a second browser process (its own cookie jar)
 * holding the same passkey signs in with it, and its other tab hears the sign-in; that sign-in
 * replayed, and a clone of the credential whose counter fell behind, are refused. The page is
 * opened at http://localhost: browsers refuse an IP address as a WebAuthn relying party, and the
 * service's default RP ID for its 127.0.0.1 origin is `localhost`.
 */
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import { createTempDir, removeDir, startService, type Service } from './harness.mjs'

const ACTION_TIMEOUT_MS = 20_000
const NAVIGATION_TIMEOUT_MS = 30_000

interface Device {
  context: BrowserContext
  page: Page
  cdp: CDPSession
  authenticatorId: string
  problems: string[]
  close(): Promise<void>
}

interface VirtualCredential {
  credentialId: string
  isResidentCredential: boolean
  rpId: string
  privateKey: string
  userHandle: string
  signCount: number
}

let service: Service
let launch: Awaited<ReturnType<typeof chromiumLaunchOptions>>
let origin: string
const devices: Device[] = []

/** A Chromium process of its own (the single-process build shares cookies between contexts). */
async function openDevice(): Promise<Device> {
  const dir = await createTempDir('edge-session-passkeys-')
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: launch.executablePath,
    headless: true,
    args: launch.args,
    timeout: NAVIGATION_TIMEOUT_MS,
  })
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  const device: Device = {
    context,
    page,
    cdp,
    authenticatorId,
    problems,
    async close() {
      await context.close().catch(() => undefined)
      await removeDir(dir)
    },
  }
  devices.push(device)
  return device
}

async function ready(page: Page): Promise<void> {
  await page.locator('body[data-state="ready"]').waitFor({ timeout: ACTION_TIMEOUT_MS })
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim()

async function errorShown(page: Page): Promise<string | null> {
  return (await page.locator('#error').isVisible()) ? text(page, '#error') : null
}

async function documentTitles(page: Page): Promise<string[]> {
  return page.locator('#documents li strong').allTextContents()
}

beforeAll(async () => {
  launch = await chromiumLaunchOptions()
  service = await startService({
    extraArgs: ['--var', 'DEMO:true', '--var', 'RATE_LIMITS:false', '--var', 'COOKIE_SECURE:false'],
  })
  origin = service.baseUrl.replace('127.0.0.1', 'localhost')
})

afterAll(async () => {
  for (const device of devices) await device.close()
  await service?.stop()
})

describe('passkeys on the demo page in Chromium', () => {
  let accountId: string
  let credential: VirtualCredential

  it('creates an account with a passkey alone from an anonymous visit and keeps its document', async () => {
    const first = await openDevice()
    const { page } = first
    await page.goto(`${origin}/`)
    await ready(page)
    expect(await text(page, '#user-kind')).toBe('anonymous')
    const anonymousId = await text(page, '#user-id')

    await page.fill('#doc-title', 'Notes before signing up')
    await page.fill('#doc-content', 'kept through the sign-up')
    await page.click('#document-form button[type="submit"]')
    await ready(page)
    expect(await documentTitles(page)).toEqual(['Notes before signing up'])

    await page.click('#passkey-sign-up')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-kind')).toBe('account')
    accountId = await text(page, '#user-id')
    expect(accountId).toMatch(/^usr_[0-9a-z]{26}$/)
    expect(await text(page, '#user-email')).toBe('—')
    expect(await documentTitles(page)).toEqual(['Notes before signing up'])
    const merge = JSON.parse(await text(page, '#merge'))
    expect(merge).toMatchObject({ from: anonymousId, into: accountId })
    expect(merge.moved.documents).toBe(1)

    const { credentials } = (await first.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: first.authenticatorId,
    })) as { credentials: VirtualCredential[] }
    expect(credentials).toHaveLength(1)
    credential = credentials[0]!
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' })
    expect(first.problems).toEqual([])
  })

  it('signs a fresh browser in with that passkey', async () => {
    const second = await openDevice()
    await second.cdp.send('WebAuthn.addCredential', {
      authenticatorId: second.authenticatorId,
      credential: { ...credential, signCount: credential.signCount },
    })
    const { page } = second
    // The verify request the page sends, kept to be replayed below.
    const verifyBodies: string[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/auth/passkeys/sign-in/verify'))
        verifyBodies.push(request.postData() ?? '')
    })
    await page.goto(`${origin}/`)
    await ready(page)
    expect(await text(page, '#user-kind')).toBe('anonymous')
    // A second tab of that browser, open before the sign-in.
    const otherTab = await second.context.newPage()
    otherTab.on('pageerror', (error) => second.problems.push(`pageerror: ${error.message}`))
    await otherTab.goto(`${origin}/`)
    await ready(otherTab)
    expect(await text(otherTab, '#user-id')).toBe(await text(page, '#user-id'))

    await page.click('#passkey-sign-in')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-id')).toBe(accountId)
    expect(await text(page, '#user-kind')).toBe('account')
    expect(await documentTitles(page)).toEqual(['Notes before signing up'])
    // The other tab hears the sign-in and shows the account, without a reload.
    await otherTab.locator('#user-id', { hasText: accountId }).waitFor()
    await ready(otherTab)
    expect(await text(otherTab, '#user-kind')).toBe('account')
    expect(await documentTitles(otherTab)).toEqual(['Notes before signing up'])

    // The same signed assertion sent again: its challenge was used up by the first.
    expect(verifyBodies).toHaveLength(1)
    const replayed = await page.evaluate(async (body) => {
      const res = await fetch('/v1/auth/passkeys/sign-in/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      })
      const answer = (await res.json()) as { error?: { code?: string } }
      return { status: res.status, code: answer.error?.code }
    }, verifyBodies[0]!)
    expect(replayed).toEqual({ status: 400, code: 'invalid_or_expired_challenge' })
    expect(second.problems).toEqual([])
  })

  it('refuses a cloned authenticator: the credential as it was at sign-up, its counter behind', async () => {
    const clone = await openDevice()
    await clone.cdp.send('WebAuthn.addCredential', {
      authenticatorId: clone.authenticatorId,
      credential,
    })
    const { page } = clone
    await page.goto(`${origin}/`)
    await ready(page)
    const anonymousId = await text(page, '#user-id')

    await page.click('#passkey-sign-in')
    await ready(page)
    expect(await errorShown(page)).toContain('passkey_rejected')
    expect(await text(page, '#user-id')).toBe(anonymousId)
    expect(await text(page, '#user-kind')).toBe('anonymous')
  })
})
