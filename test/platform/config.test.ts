import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseSettings, SettingsError } from '../../src/platform/config'
import worker from '../../src/worker'

const valid = {
  ENCRYPTION_KEY: btoa('k'.repeat(32)),
  PASSWORD_PEPPER: btoa('p'.repeat(32)),
  ADMIN_TOKEN: 'a'.repeat(24),
  ISSUER: 'https://i',
  AUDIENCE: 'https://a',
}

describe('settings', () => {
  it('applies the contract defaults to anything unset', () => {
    const settings = parseSettings(valid)
    expect(settings).toMatchObject({
      ACCESS_TTL: 300,
      SESSION_IDLE_TTL: 2_592_000,
      SESSION_ABSOLUTE_TTL: 7_776_000,
      REFRESH_REUSE_GRACE: 10,
      MAX_SESSIONS_PER_USER: 10,
      COOKIE_SECURE: true,
      ALLOWED_ORIGINS: [],
      PUBLIC_ORIGIN: 'https://i',
    })
    // No mailer unless one is named: production never falls back to the dev outbox.
    expect(settings.MAILER).toBeUndefined()
  })

  it("binds passkeys to the public origin's host by default, and to localhost for an IP origin", () => {
    expect(
      parseSettings({
        ...valid,
        ISSUER: 'https://auth.example.com',
        ALLOWED_ORIGINS: 'https://app.example.com',
      }),
    ).toMatchObject({
      WEBAUTHN_RP_ID: 'auth.example.com',
      WEBAUTHN_RP_NAME: 'auth.example.com',
      WEBAUTHN_ORIGINS: ['https://auth.example.com', 'https://app.example.com'],
    })
    // `npm start`: browsers refuse an IP address as a relying party, so the page runs on localhost.
    expect(
      parseSettings({ ...valid, ISSUER: 'http://127.0.0.1:8787', COOKIE_SECURE: 'false' }),
    ).toMatchObject({
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_ORIGINS: ['http://127.0.0.1:8787', 'http://localhost:8787'],
    })
    const named = parseSettings({ ...valid, PRODUCT_NAME: 'Acme Notes' })
    expect(named.WEBAUTHN_RP_NAME).toBe('Acme Notes')
    const pinned = parseSettings({
      ...valid,
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://www.example.com/',
    })
    expect(pinned).toMatchObject({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: ['https://www.example.com'],
    })
    expect(() => parseSettings({ ...valid, WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(
      /WEBAUTHN_RP_ID/,
    )
    expect(() => parseSettings({ ...valid, WEBAUTHN_ORIGINS: 'not a url' })).toThrow(
      /WEBAUTHN_ORIGINS/,
    )
  })

  it('parses lists and flags', () => {
    const settings = parseSettings({
      ...valid,
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      COOKIE_SECURE: 'false',
      ISSUER: 'http://127.0.0.1:8787',
    })
    expect(settings.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example'])
    expect(settings.COOKIE_SECURE).toBe(false)
  })

  it('reads previous encryption keys as a list, newest first, none by default', () => {
    expect(parseSettings(valid).ENCRYPTION_KEY_PREVIOUS).toEqual([])
    const [newer, older] = [btoa('n'.repeat(32)), btoa('o'.repeat(32))]
    const settings = parseSettings({ ...valid, ENCRYPTION_KEY_PREVIOUS: `${newer}, ${older}` })
    expect(settings.ENCRYPTION_KEY_PREVIOUS).toEqual([newer, older])
  })

  it('requires a password pepper and reads previous ones as a list, newest first', () => {
    expect(parseSettings(valid).PASSWORD_PEPPER_PREVIOUS).toEqual([])
    const [newer, older] = [btoa('n'.repeat(32)), btoa('o'.repeat(32))]
    const settings = parseSettings({ ...valid, PASSWORD_PEPPER_PREVIOUS: `${newer},${older}` })
    expect(settings.PASSWORD_PEPPER_PREVIOUS).toEqual([newer, older])
  })

  it.each([
    [{ ACCESS_TTL: 'soon' }, 'ACCESS_TTL'],
    [{ ACCESS_TTL: '-5' }, 'ACCESS_TTL'],
    [{ COOKIE_SECURE: 'yes' }, 'COOKIE_SECURE'],
    [{ ENCRYPTION_KEY: 'too-short' }, 'ENCRYPTION_KEY'],
    [{ ENCRYPTION_KEY: undefined }, 'ENCRYPTION_KEY'],
    [{ ENCRYPTION_KEY_PREVIOUS: `${btoa('p'.repeat(32))},too-short` }, 'ENCRYPTION_KEY_PREVIOUS'],
    [{ PASSWORD_PEPPER: undefined }, 'PASSWORD_PEPPER'],
    [{ PASSWORD_PEPPER: btoa('short') }, 'PASSWORD_PEPPER'],
    [{ PASSWORD_PEPPER_PREVIOUS: 'not-a-key' }, 'PASSWORD_PEPPER_PREVIOUS'],
    [{ ADMIN_TOKEN: '' }, 'ADMIN_TOKEN'],
    [{ ALLOWED_ORIGINS: 'not a url' }, 'ALLOWED_ORIGINS'],
    [{ MAILER: 'pigeon' }, 'MAILER'],
  ])('names the bad setting in %o', (override, name) => {
    expect(() => parseSettings({ ...valid, ...override })).toThrow(SettingsError)
    expect(() => parseSettings({ ...valid, ...override })).toThrow(name)
  })

  it('answers 503 misconfigured, naming the setting, when the Worker starts with a bad one', async () => {
    const res = await worker.fetch(
      new Request('https://auth.test/healthz'),
      { ...env, ACCESS_TTL: 'soon' },
      {} as ExecutionContext,
    )
    expect(res.status).toBe(503)
    const body = await res.json<{ error: { code: string; message: string } }>()
    expect(body.error.code).toBe('misconfigured')
    expect(body.error.message).toContain('ACCESS_TTL')
  })
})
