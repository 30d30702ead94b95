/**
 * The prebuilt React components (examples/react at /react/#prebuilt) in Chromium: `<SignIn/>`
 * offers the service's ways in (with a configured OpenID provider's button) and signs a person in
 * by a mailed link's code (read from the dev outbox), and `<AccountMenu/>` shows who it is, their
 * sessions and sign-out; axe finds no accessibility violation at any step.
 */
import AxeBuilder from '@axe-core/playwright'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from './browser.mjs'
import { outputPath, registerAccount, startService, type Service } from './harness.mjs'
import { oidcProviderArgs, startOidcIssuer, type OidcIssuer } from './oidc-issuer.mjs'
import { Secret, TOTP } from 'otpauth'

const ACTION_TIMEOUT_MS = 20_000

let service: Service
let issuer: OidcIssuer
const PROVIDER = { id: 'loopback', name: 'Loopback ID' }
let browser: Browser
let page: Page
const problems: string[] = []
const email = `prebuilt-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`

/** The authenticator app's code `offsetSteps` periods from now. */
const codeAt = (secret: string, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 })

const settled = (status: string) =>
  page.locator(`main[data-status="${status}"]`).waitFor({ timeout: ACTION_TIMEOUT_MS })

/** Every axe violation on the page as `rule: the elements`, so a failure names what to fix. */
async function axeViolations(): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

async function mailedCode(to: string): Promise<string> {
  const res = await fetch(`${service.baseUrl}/v1/dev/outbox?to=${encodeURIComponent(to)}`)
  const { messages } = (await res.json()) as { messages: Array<{ text: string }> }
  const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(messages[0]?.text ?? '')?.[1]
  if (!code) throw new Error(`no code in the mail to ${to}`)
  return code
}

beforeAll(async () => {
  const launch = await chromiumLaunchOptions()
  issuer = await startOidcIssuer()
  service = await startService({
    extraArgs: [
      ...['--var', 'DEMO:true', '--var', 'RATE_LIMITS:false', '--var', 'COOKIE_SECURE:false'],
      ...oidcProviderArgs(issuer.issuer, [PROVIDER]),
    ],
  })
  issuer.allowCallbacksTo(service.baseUrl, [PROVIDER.id])
  browser = await chromium.launch({ executablePath: launch.executablePath, args: launch.args })
  // axe needs a page of an explicit context.
  page = await (await browser.newContext()).newPage()
  page.setDefaultTimeout(ACTION_TIMEOUT_MS)
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await service?.stop()
  await issuer?.close()
})

describe('the prebuilt components in Chromium', () => {
  it('offers the provider, link, password and registration with no axe violations', async () => {
    await page.goto(`${service.baseUrl}/react/#prebuilt`)
    await settled('anonymous')
    const others = page.getByRole('group', { name: 'Other ways to sign in' })
    await others.getByRole('button', { name: `Continue with ${PROVIDER.name}` }).waitFor()
    expect(await others.getByRole('button').allTextContents()).toEqual([
      `Continue with ${PROVIDER.name}`,
      'Sign in with a passkey',
    ])
    expect(await axeViolations()).toEqual([])
    const methods = page
      .getByRole('group', { name: 'Ways to sign in', exact: true })
      .getByRole('button')
    expect(await methods.allTextContents()).toEqual([
      'Email me a link',
      'Password',
      'Create an account',
    ])
    expect(await methods.first().getAttribute('aria-pressed')).toBe('true')
    await page.getByRole('button', { name: 'Password' }).click()
    await page.getByLabel('Password', { exact: true }).waitFor()
    expect(await axeViolations()).toEqual([])
    await page.getByRole('button', { name: 'Email me a link' }).click()
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0)
    expect(await axeViolations()).toEqual([])
  })

  it('signs a person in by link: the mailed code typed in <SignIn/>', async () => {
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Send link' }).click()
    const codeField = page.getByLabel('Code from the mail')
    await codeField.waitFor()
    // Focus moves to the field the person types next; the status says where the mail went.
    expect(await codeField.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
    expect(await page.getByRole('status').textContent()).toContain(email)
    expect(await axeViolations()).toEqual([])

    await codeField.fill(await mailedCode(email))
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await settled('account')
    expect(await page.locator('#signed-in-email').textContent()).toBe(email)
    expect(await axeViolations()).toEqual([])
    expect(problems).toEqual([])
  })

  it('shows who, the sessions and sign-out in <AccountMenu/>, with no axe violations', async () => {
    const toggle = page.getByRole('button', { name: email })
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    await toggle.click()
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    await page.getByText(`Signed in as ${email}`).waitFor()
    await page.getByRole('region', { name: 'Sessions' }).getByText('This browser').waitFor()
    expect(await axeViolations()).toEqual([])
    await page.screenshot({ path: await outputPath('react-components.png'), fullPage: true })

    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await settled('signed_out')
    expect(await page.locator('.es-account-menu').count()).toBe(0)
    expect(problems).toEqual([])
  })

  it('shows a refused code as an alert, and keeps the person on the code step', async () => {
    await page.reload()
    await settled('anonymous')
    const other = `prebuilt-wrong-${Date.now()}@example.com`
    await page.getByLabel('Email').fill(other)
    await page.getByRole('button', { name: 'Send link' }).click()
    await page.getByLabel('Code from the mail').fill('AAAA-AAAA')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    const alert = page.locator('.es-sign-in__error[data-es-error]')
    await alert.waitFor()
    expect((await alert.textContent())?.length).toBeGreaterThan(0)
    expect(await page.locator('.es-sign-in').getAttribute('data-es-step')).toBe('code')
    expect(await axeViolations()).toEqual([])
  })

  it("shows a provider's refusal (?error=) as the alert, and takes it out of the address", async () => {
    await page.goto(`${service.baseUrl}/react/?error=session_required#prebuilt`)
    await settled('anonymous')
    const alert = page.locator('.es-sign-in__error[data-es-error="session_required"]')
    await alert.waitFor()
    expect((await alert.textContent())?.length).toBeGreaterThan(0)
    expect(new URL(page.url()).search).toBe('')
    expect(await axeViolations()).toEqual([])
  })

  it('asks an account with an authenticator app for its code after the password, then signs in', async () => {
    const totpEmail = `prebuilt-totp-${Date.now()}@example.com`
    const password = 'a long password 1'
    const { tokens } = await registerAccount(service.baseUrl, { email: totpEmail, password })
    const asAccount = (path: string, body: unknown) =>
      fetch(`${service.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${tokens.accessToken}`,
        },
        body: JSON.stringify(body),
      })
    const { secret } = (await (await asAccount('/v1/me/factors/totp', {})).json()) as {
      secret: string
    }
    const confirmed = await asAccount('/v1/me/factors/totp/confirm', { code: codeAt(secret) })
    expect(confirmed.status).toBe(200)

    await page.reload()
    await settled('anonymous')
    await page.getByRole('button', { name: 'Password' }).click()
    await page.getByLabel('Email').fill(totpEmail)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    const codeField = page.getByLabel('Code from your authenticator app')
    await codeField.waitFor()
    expect(await page.locator('.es-sign-in').getAttribute('data-es-step')).toBe('second-factor')
    expect(await page.locator('.es-sign-in__error').textContent()).toBe('')
    expect(await axeViolations()).toEqual([])
    await codeField.fill(codeAt(secret, 1))
    await page.getByRole('button', { name: 'Verify' }).click()
    await settled('account')
    expect(await page.locator('#signed-in-email').textContent()).toBe(totpEmail)
  })
})
