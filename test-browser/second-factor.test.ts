/**
 * The demo page's TOTP sign-in in Chromium: register and confirm an account, set up an
 * authenticator app from its QR code's key (codes made by the same TOTP library as the service),
 * sign out, and sign in with the password: the page asks for the app's code, and the code signs
 * in. One browser, wrangler dev as `npm start` runs it.
 */
import { chromium, type Browser, type Page } from 'playwright-core'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import { startService, type Service } from './harness.mjs'

const ACTION_TIMEOUT_MS = 20_000
const PASSWORD = 'correct horse battery staple'

let service: Service
let browser: Browser

async function ready(page: Page): Promise<void> {
  await page.locator('body[data-state="ready"]').waitFor({ timeout: ACTION_TIMEOUT_MS })
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).textContent()) ?? '').trim()

async function errorShown(page: Page): Promise<string | null> {
  return (await page.locator('#error').isVisible()) ? text(page, '#error') : null
}

/** The app's code `offsetSteps` periods from now. */
const codeAt = (secret: string, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 })

beforeAll(async () => {
  const launch = await chromiumLaunchOptions()
  browser = await chromium.launch({
    executablePath: launch.executablePath,
    headless: true,
    args: launch.args,
  })
  service = await startService({
    extraArgs: ['--var', 'DEMO:true', '--var', 'RATE_LIMITS:false', '--var', 'COOKIE_SECURE:false'],
  })
})

afterAll(async () => {
  await browser?.close()
  await service?.stop()
})

describe('a TOTP sign-in on the demo page in Chromium', () => {
  it('sets up an authenticator app, then a password sign-in asks for its code', async () => {
    const context = await browser.newContext()
    context.setDefaultTimeout(ACTION_TIMEOUT_MS)
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(`${service.baseUrl}/`)
    await ready(page)

    const email = `totp-${crypto.randomUUID()}@example.com`
    await page.fill('#reg-email', email)
    await page.fill('#reg-password', PASSWORD)
    await page.click('#register')
    await ready(page)
    await page.click('#fill-code')
    await ready(page)
    await page.click('#confirm')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-kind')).toBe('account')
    const accountId = await text(page, '#user-id')

    await page.click('#enrol-totp')
    await ready(page)
    expect(await page.locator('#totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    const secret = /key: ([A-Z2-7]+)/.exec(await text(page, '#totp-secret'))?.[1]
    expect(secret).toBeTruthy()
    await page.fill('#totp-code', codeAt(secret!))
    await page.click('#confirm-totp')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await page.locator('#recovery-codes li').count()).toBe(10)

    await page.click('#logout')
    await ready(page)
    expect(await text(page, '#user-kind')).toBe('anonymous')

    await page.fill('#login-email', email)
    await page.fill('#login-password', PASSWORD)
    await page.click('#login')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await page.locator('#factor-form').isVisible()).toBe(true)
    expect(await text(page, '#user-kind')).toBe('anonymous')

    await page.fill('#factor-code', '000000' === codeAt(secret!, 1) ? '111111' : '000000')
    await page.click('#verify-factor')
    await ready(page)
    expect(await errorShown(page)).toContain('invalid_factor_code')

    await page.fill('#factor-code', codeAt(secret!, 1))
    await page.click('#verify-factor')
    await ready(page)
    expect(await errorShown(page)).toBeNull()
    expect(await text(page, '#user-kind')).toBe('account')
    expect(await text(page, '#user-id')).toBe(accountId)
    expect(problems).toEqual([])
    await context.close()
  })
})
