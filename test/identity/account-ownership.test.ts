/**
 * Accounts only their mailbox owner controls: each attack of issue #10, run as the attacker would,
 * through the Worker. Every test here succeeded as an attack before the fix.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import wranglerToml from '../../wrangler.toml?raw'
import { createApp } from '../../src/app'
import { parseSettings, SettingsError } from '../../src/platform/config'
import { createRuntime } from '../../src/platform/runtime'
import type { Limiters } from '../../src/platform/limits/rate-limits'
import {
  anonymousWithDocument,
  api,
  bearer,
  CookieJar,
  countRows,
  createAccount,
  createTokenSession,
  expectError,
  jsonHeaders,
  LOOPBACK,
  mailedLinkCode,
  mailedLinkToken,
  postAuth,
  readOutbox,
  refreshWithToken,
  runtime,
  sessionOf,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
} from '../helpers'

const PASSWORD = 'correct horse battery'
const ATTACKER_PASSWORD = 'the attacker chose this'

afterEach(() => {
  vi.useRealTimers()
})

/** Moves the clock (the Worker, its objects and D1 queries all read `Date.now()`). */
function advance(ms: number): void {
  const now = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now + ms)
}

async function signedIn(res: Response, status = 200): Promise<SignInBody> {
  expect(res.status).toBe(status)
  return res.json<SignInBody>()
}

async function documentCount(accessToken: string): Promise<number> {
  const res = await api('/v1/documents', { headers: bearer(accessToken) })
  expect(res.status).toBe(200)
  return (await res.json<{ documents: unknown[] }>()).documents.length
}

/** The [vars] of wrangler.toml: what a production deploy ships with. */
function productionVars(): Record<string, string> {
  const section = /^\[vars\]\n([\s\S]*?)^\[/m.exec(wranglerToml)![1]!
  return Object.fromEntries(
    [...section.matchAll(/^([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!]),
  )
}

describe('1. admin by registration', () => {
  it('grants no admin role to an ADMIN_EMAILS address that only typed it', async () => {
    const typed = await createTokenSession()
    const res = await postAuth(
      '/v1/auth/register',
      { email: 'BOSS@EXAMPLE.COM', password: ATTACKER_PASSWORD },
      typed,
    )
    expect(res.status).toBe(202)
    const headers = bearer(typed.accessToken)
    const me = await (await api('/v1/me', { headers })).json<SignInBody>()
    expect(me.user.role).toBe('user')
    await expectError(await api('/v1/admin/metrics', { headers }), 403)
    await expectError(
      await api('/v1/admin/import', {
        method: 'POST',
        headers: jsonHeaders(headers),
        body: JSON.stringify({ importId: 'imp-1', oauth: [] }),
      }),
      403,
    )
  })
})

describe('2. shipped defaults', () => {
  it('ships no dev mailer: link requests answer 503 mail_unavailable and no outbox exists', async () => {
    const vars = productionVars()
    expect(vars.ISSUER).toBeDefined()
    expect(vars.MAILER).toBeUndefined()
    // The shipped vars with this test's secrets, and nothing of the test's own MAILER.
    const app = await createApp(await createRuntime({ ...env, ...vars, MAILER: '' }))
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const res = await app.request('https://auth.example.com/v1/auth/magic-link', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ email: uniqueEmail() }),
    })
    await expectError(res, 503, 'mail_unavailable')
    expect(errors.mock.calls.flat().join(' ')).toContain('MAILER')
    errors.mockRestore()
    const outbox = await app.request('https://auth.example.com/v1/dev/outbox?to=a@example.com', {
      headers: LOOPBACK,
    })
    await expectError(outbox, 404, 'not_found')
  })

  it('answers the dev outbox only to loopback clients', async () => {
    const email = uniqueEmail()
    await mailedLinkToken(email)
    for (const ip of [undefined, '203.0.113.7', '10.0.0.1', '2001:db8::1']) {
      const res = await api(`/v1/dev/outbox?to=${encodeURIComponent(email)}`, {
        headers: ip ? { 'CF-Connecting-IP': ip } : {},
      })
      await expectError(res, 404, 'not_found')
    }
    expect(await readOutbox(email)).toHaveLength(1)
  })
})

describe('3. login CSRF by a mailed link', () => {
  it("signs the victim's browser in without merging its data when the link was asked for elsewhere", async () => {
    const attackerEmail = uniqueEmail()
    const token = await mailedLinkToken(attackerEmail)
    const victim = await anonymousWithDocument()
    // The page names the account before anything happens.
    const preview = await postAuth('/v1/auth/magic-link/preview', { token }, victim)
    expect(await preview.json()).toEqual({
      purpose: 'sign_in',
      email: `${attackerEmail.slice(0, 2)}•••@example.com`,
      sameSession: false,
    })
    const body = await signedIn(await postAuth('/v1/auth/magic-link/verify', { token }, victim))
    expect(body.merge).toBeNull()
    expect(body.session.id).not.toBe(victim.sessionId)
    // Nothing of the victim's reached the attacker's account; the victim keeps it all.
    expect(await documentCount(body.tokens.accessToken)).toBe(0)
    const victimAgain = await refreshWithToken(victim.refreshToken)
    expect(victimAgain.status).toBe(200)
    const { tokens } = await victimAgain.json<SignInBody>()
    expect(await documentCount(tokens.accessToken)).toBe(1)
  })

  it("brings the asking browser's data along with the mailed code, in that browser only", async () => {
    const email = uniqueEmail()
    const desktop = await anonymousWithDocument()
    const token = await mailedLinkToken(email, desktop)
    const code = await mailedLinkCode(email)
    // The link opened on a phone signs the phone in, beside its own data.
    const phone = await createTokenSession()
    const onPhone = await signedIn(await postAuth('/v1/auth/magic-link/verify', { token }, phone))
    expect(onPhone.merge).toBeNull()
    // The code typed in another session is refused and counts against the code.
    const stranger = await createTokenSession()
    await expectError(
      await postAuth('/v1/auth/magic-link/code', { email, code }, stranger),
      400,
      'invalid_or_expired_code',
    )
    await expectError(
      await postAuth('/v1/auth/magic-link/code', { email, code }),
      401,
      'session_required',
    )
    const body = await signedIn(
      await postAuth('/v1/auth/magic-link/code', { email, code: code.toLowerCase() }, desktop),
    )
    expect(body.session.id).toBe(desktop.sessionId)
    expect(body.merge).toMatchObject({ from: desktop.userId, into: onPhone.user.id })
    expect(await documentCount(body.tokens.accessToken)).toBe(1)
    await expectError(
      await postAuth('/v1/auth/magic-link/code', { email, code }, desktop),
      400,
      'invalid_or_expired_code',
    )
  })

  it('kills a code after five wrong guesses', async () => {
    const email = uniqueEmail()
    const desktop = await createTokenSession()
    await mailedLinkToken(email, desktop)
    const code = await mailedLinkCode(email)
    for (let i = 0; i < 5; i++)
      await expectError(
        await postAuth('/v1/auth/magic-link/code', { email, code: 'AAAA-AAAA' }, desktop),
        400,
        'invalid_or_expired_code',
      )
    await expectError(
      await postAuth('/v1/auth/magic-link/code', { email, code }, desktop),
      400,
      'invalid_or_expired_code',
    )
  })

  it('binds a link only to a session the request proved, not to a session id it named', async () => {
    const victim = await anonymousWithDocument()
    const attackerEmail = uniqueEmail()
    // The attacker knows the victim's session id (it is in every token) but not its secret.
    const forged = `${victim.sessionId}.${'A'.repeat(43)}`
    const asked = await api('/v1/auth/magic-link', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ email: attackerEmail, refreshToken: forged }),
    })
    expect(asked.status).toBe(202)
    const [message] = await readOutbox(attackerEmail)
    const body = await signedIn(
      await postAuth('/v1/auth/magic-link/verify', { token: message!.token }, victim),
    )
    expect(body.merge).toBeNull()
    expect(body.session.id).not.toBe(victim.sessionId)
  })
})

describe('4. a used link does not replay forever', () => {
  async function linkUsedByAnotherAccount() {
    const owner = uniqueEmail()
    const other = await signedIn(await createAccount(uniqueEmail(), PASSWORD))
    const from = sessionOf(other)
    const token = await mailedLinkToken(owner)
    const first = await signedIn(await postAuth('/v1/auth/magic-link/verify', { token }, from))
    expect(first.user.email).toBe(owner)
    return { token, from, first }
  }

  /** Each of `sessions` presenting the used link again is refused. */
  async function expectNoRepeat(token: string, sessions: TokenSession[]) {
    for (const session of sessions)
      await expectError(
        await postAuth('/v1/auth/magic-link/verify', { token }, session),
        400,
        'invalid_or_expired_token',
      )
  }

  it('is not repeated from the session that used it once the owner logs out everywhere', async () => {
    const { token, from, first } = await linkUsedByAnotherAccount()
    const ownerSession = sessionOf(first)
    const out = await api('/v1/auth/logout-all', {
      method: 'POST',
      headers: jsonHeaders(bearer(first.tokens.accessToken)),
    })
    expect(out.status).toBe(204)
    await expectNoRepeat(token, [from, ownerSession])
  })

  it('is repeated, while fresh, only by the session it started (a double click)', async () => {
    const { token, first } = await linkUsedByAnotherAccount()
    const ownerSession = sessionOf(first)
    const again = await postAuth('/v1/auth/magic-link/verify', { token }, ownerSession)
    expect((await signedIn(again)).session.id).toBe(first.session.id)
  })

  it('is not repeated after the link expired', async () => {
    const { token, from, first } = await linkUsedByAnotherAccount()
    const ownerSession = sessionOf(first)
    advance(3_601_000)
    // Fresh secrets: the ones above are past their grace window now.
    const refreshed = await Promise.all(
      [from, ownerSession].map(async (session) => {
        const res = await refreshWithToken(session.refreshToken)
        return { ...session, ...(await res.json<SignInBody>()).tokens }
      }),
    )
    await expectNoRepeat(token, refreshed)
  })

  it('is not repeated after a password change', async () => {
    const { token, from, first } = await linkUsedByAnotherAccount()
    const ownerSession = sessionOf(first)
    const changed = await api('/v1/auth/password', {
      method: 'POST',
      headers: jsonHeaders(bearer(first.tokens.accessToken)),
      body: JSON.stringify({ currentPassword: 'anything', newPassword: 'a brand new password' }),
    })
    expect(changed.status).toBe(204)
    await expectNoRepeat(token, [from, ownerSession])
  })

  it('dies with the kill switch, used or not', async () => {
    const unused = await mailedLinkToken(uniqueEmail())
    await new Promise((resolve) => setTimeout(resolve, 5))
    const killed = await api('/v1/admin/kill-switch', {
      method: 'POST',
      headers: jsonHeaders(bearer(String(env.ADMIN_TOKEN))),
    })
    expect(killed.status).toBe(200)
    await expectError(
      await postAuth('/v1/auth/magic-link/verify', { token: unused }),
      400,
      'invalid_or_expired_token',
    )
    // Access tokens carry whole seconds: let the switch's own second pass before the next test.
    await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)))
  })
})

describe('5. pre-account hijacking', () => {
  it("drops a never-proven account's password and sessions once the owner proves the mailbox", async () => {
    // Registration no longer makes such an account; one made before it did is still in D1.
    const email = uniqueEmail()
    const planted = await signedIn(await createAccount(email, ATTACKER_PASSWORD))
    await env.DB.prepare('update users set email_verified_at = null where id = ?')
      .bind(planted.user.id)
      .run()
    const token = await mailedLinkToken(email)
    const owner = await signedIn(await postAuth('/v1/auth/magic-link/verify', { token }))
    expect(owner.user.id).toBe(planted.user.id)
    await expectError(
      await postAuth('/v1/auth/login', { email, password: ATTACKER_PASSWORD }),
      401,
      'invalid_credentials',
    )
    await expectError(await refreshWithToken(planted.tokens.refreshToken), 401)
    expect((await refreshWithToken(owner.tokens.refreshToken)).status).toBe(200)
    const proven = await env.DB.prepare(
      'select email_verified_at as at, password_hash as hash from users where id = ?',
    )
      .bind(owner.user.id)
      .first<{ at: number | null; hash: string | null }>()
    expect(proven?.at).toBeGreaterThan(0)
    expect(proven?.hash).toBeNull()
  })

  it('leaves the owner nothing that a never-proven account stored before the proof', async () => {
    const email = uniqueEmail()
    const planted = await signedIn(await createAccount(email, ATTACKER_PASSWORD))
    await env.DB.prepare('update users set email_verified_at = null where id = ?')
      .bind(planted.user.id)
      .run()
    const write = (path: string, method: string, body: unknown) =>
      api(path, {
        method,
        headers: jsonHeaders(bearer(planted.tokens.accessToken)),
        body: JSON.stringify(body),
      })
    expect((await write('/v1/me/secrets/OPENAI_KEY', 'PUT', { value: 'sk-attacker' })).status).toBe(
      204,
    )
    expect(
      (await write('/v1/oauth/linear/tokens', 'PUT', { access_token: 'at', token_type: 'Bearer' }))
        .status,
    ).toBeLessThan(300)
    expect((await write('/v1/documents', 'POST', { title: 'plan', content: 'x' })).status).toBe(201)
    expect(
      (await write('/v1/me/preferences', 'PATCH', { webhook: 'https://attacker.example/hook' }))
        .status,
    ).toBe(200)

    const owner = await signedIn(
      await postAuth('/v1/auth/magic-link/verify', { token: await mailedLinkToken(email) }),
    )
    expect(owner.user.id).toBe(planted.user.id)
    const read = (path: string) => api(path, { headers: bearer(owner.tokens.accessToken) })
    expect((await read('/v1/me/secrets/OPENAI_KEY')).status).toBe(404)
    expect((await read('/v1/oauth/linear/tokens')).status).toBe(404)
    expect(await documentCount(owner.tokens.accessToken)).toBe(0)
    expect(await (await read('/v1/me/preferences')).json()).not.toHaveProperty('webhook')
  })

  it('leaves no way in that a never-proven account added before the proof: passkeys, identities, factors', async () => {
    const email = uniqueEmail()
    const planted = await signedIn(await createAccount(email, ATTACKER_PASSWORD))
    const userId = planted.user.id
    const now = Date.now()
    // What the attacker could have added while signed in with the password they chose.
    await env.DB.batch([
      env.DB.prepare('update users set email_verified_at = null where id = ?').bind(userId),
      env.DB.prepare(
        `insert into passkeys (id, credential_id, user_id, public_key, device_type, backed_up, name, created_at)
         values (?, ?, ?, 'key', 'singleDevice', 0, 'attacker', ?)`,
      ).bind(`pk_${now}`, `cred-${now}`, userId, now),
      env.DB.prepare(
        `insert into identities (id, user_id, provider, subject, email_verified, linked_at)
         values (?, ?, 'test-oidc', ?, 0, ?)`,
      ).bind(`idn_${now}`, userId, `attacker-${now}`, now),
      env.DB.prepare(
        `insert into second_factors (user_id, totp_secret_sealed, created_at, confirmed_at)
         values (?, 'sealed', ?, ?)`,
      ).bind(userId, now, now),
      env.DB.prepare(
        'insert into recovery_codes (user_id, code_hash, created_at) values (?, ?, ?)',
      ).bind(userId, `hash-${now}`, now),
    ])

    const owner = await signedIn(
      await postAuth('/v1/auth/magic-link/verify', { token: await mailedLinkToken(email) }),
    )
    expect(owner.user.id).toBe(userId)
    const left = async (table: string) =>
      (await env.DB.prepare(`select count(*) as n from ${table} where user_id = ?`)
        .bind(userId)
        .first<{ n: number }>())!.n
    expect({
      passkeys: await left('passkeys'),
      identities: await left('identities'),
      second_factors: await left('second_factors'),
      recovery_codes: await left('recovery_codes'),
    }).toEqual({ passkeys: 0, identities: 0, second_factors: 0, recovery_codes: 0 })
    // The owner's next link signs in at once: no factor of the attacker's stands in the way.
    const again = await postAuth('/v1/auth/magic-link/verify', {
      token: await mailedLinkToken(email),
    })
    expect(again.status).toBe(200)
  })

  it('keeps the password of a registration its own session confirmed', async () => {
    const email = uniqueEmail()
    await signedIn(await createAccount(email, PASSWORD))
    const [confirmation] = await readOutbox(email)
    expect((await postAuth('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200)
    // A confirmation link is not a sign-in link, and works once.
    await expectError(
      await postAuth('/v1/auth/magic-link/verify', { token: confirmation!.token }),
      400,
      'invalid_or_expired_token',
    )
    await expectError(
      await postAuth('/v1/auth/register/confirm', { token: confirmation!.token }),
      400,
      'invalid_or_expired_token',
    )
  })
})

describe('6. an access token alone carries nothing off', () => {
  it("signs in beside a stolen anonymous access token's session, merging nothing", async () => {
    const victim = await anonymousWithDocument()
    const email = uniqueEmail()
    const own = await createTokenSession()
    await postAuth('/v1/auth/register', { email, password: ATTACKER_PASSWORD }, own)
    const [confirmation] = await readOutbox(email)
    const res = await api('/v1/auth/register/confirm', {
      method: 'POST',
      headers: jsonHeaders(bearer(victim.accessToken)),
      body: JSON.stringify({ token: confirmation!.token }),
    })
    const attacker = await signedIn(res)
    expect(attacker.merge).toBeNull()
    expect(attacker.session.id).not.toBe(victim.sessionId)
    expect(await documentCount(attacker.tokens.accessToken)).toBe(0)
    const victimAgain = await refreshWithToken(victim.refreshToken)
    expect(victimAgain.status).toBe(200)
    expect(await documentCount((await victimAgain.json<SignInBody>()).tokens.accessToken)).toBe(1)
  })

  it('recovers a browser whose sign-in answer was lost, once the grace window has passed', async () => {
    const jar = new CookieJar()
    expect((await jar.fetch('/v1/me')).status).toBe(200)
    const email = uniqueEmail()
    const registered = await jar.fetch('/v1/auth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    })
    expect(registered.status).toBe(202)
    const [confirmation] = await readOutbox(email)
    // The sign-in happens, but its Set-Cookie never reaches the jar.
    const lost = await api('/v1/auth/register/confirm', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: 'https://app.example.com',
        Cookie: `__Host-session=${jar.cookies.get('__Host-session')}`,
      },
      body: JSON.stringify({ token: confirmation!.token }),
    })
    expect(lost.status).toBe(200)
    jar.cookies.delete('__Host-access')
    await expectError(await jar.fetch('/v1/me'), 401, 'refresh_token_superseded')
    advance(11_000)
    const recovered = await jar.fetch('/v1/me')
    expect(recovered.status).toBe(200)
    expect((await recovered.json<SignInBody>()).user.isAnonymous).toBe(true)
    expect((await jar.fetch('/v1/me')).status).toBe(200)
  })
})

describe('7. setting a first password', () => {
  async function linkAccount() {
    const email = uniqueEmail()
    const token = await mailedLinkToken(email)
    return signedIn(await postAuth('/v1/auth/magic-link/verify', { token }))
  }

  it('needs a sign-in within five minutes, not just an access token', async () => {
    const account = await linkAccount()
    advance(6 * 60_000)
    const refreshed = await refreshWithToken(account.tokens.refreshToken)
    const { tokens } = await refreshed.json<SignInBody>()
    const res = await api('/v1/auth/password', {
      method: 'POST',
      headers: jsonHeaders(bearer(tokens.accessToken)),
      body: JSON.stringify({ currentPassword: 'anything', newPassword: 'a brand new password' }),
    })
    await expectError(res, 403, 'recent_sign_in_required')
  })

  it('is allowed right after the sign-in', async () => {
    const account = await linkAccount()
    const res = await api('/v1/auth/password', {
      method: 'POST',
      headers: jsonHeaders(bearer(account.tokens.accessToken)),
      body: JSON.stringify({ currentPassword: 'anything', newPassword: 'a brand new password' }),
    })
    expect(res.status).toBe(204)
  })
})

describe('8. link tokens never reach a server in a URL', () => {
  it('mails the token in the fragment, and no request line or log holds it', async () => {
    const email = uniqueEmail()
    const anon = await createTokenSession()
    const lines: string[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line))
    })
    const rt = await runtime()
    const app = await createApp({ ...rt, settings: { ...rt.settings, LOG_LEVEL: 'info' } })
    const send = (path: string, body?: object) =>
      app.request(`https://auth.example.com${path}`, {
        method: body ? 'POST' : 'GET',
        headers: jsonHeaders(LOOPBACK),
        body: body && JSON.stringify({ ...body, refreshToken: anon.refreshToken }),
      })
    expect((await send('/v1/auth/magic-link', { email })).status).toBe(202)
    const [message] = await readOutbox(email)
    const link = new URL(message!.link)
    expect(link.search).toBe('')
    expect(link.hash).toBe(`#token=${message!.token}`)
    // What a browser sends for the link: the path, never the fragment.
    const page = await send(link.pathname + link.search)
    expect(page.status).toBe(200)
    expect((await send('/v1/auth/magic-link/verify', { token: message!.token })).status).toBe(200)
    log.mockRestore()
    expect(lines.length).toBeGreaterThanOrEqual(3)
    expect(lines.join('\n')).not.toContain(message!.token)
  })
})

describe('9. limits that cannot be turned against the owner', () => {
  it("keeps the owner's login and own link working after strangers ask for links", async () => {
    const email = uniqueEmail()
    await signedIn(await createAccount(email, PASSWORD))
    for (let i = 0; i < 10; i++) {
      const res = await api('/v1/auth/magic-link', {
        method: 'POST',
        headers: jsonHeaders({ 'CF-Connecting-IP': `198.51.100.${i + 1}` }),
        body: JSON.stringify({ email }),
      })
      expect(res.status).toBe(202)
    }
    expect((await postAuth('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200)
    expect((await postAuth('/v1/auth/magic-link', { email })).status).toBe(202)
    // Five mails an hour reach the address, the registration's confirmation included.
    expect(await readOutbox(email)).toHaveLength(5)
  })

  it('forgets old failures, so a lock does not last for ever', async () => {
    const email = uniqueEmail()
    await signedIn(await createAccount(email, PASSWORD))
    for (let i = 0; i < 5; i++)
      await expectError(
        await postAuth('/v1/auth/login', { email, password: 'wrong password!' }),
        401,
        'invalid_credentials',
      )
    advance(5 * 15 * 60_000 + 1000)
    await expectError(
      await postAuth('/v1/auth/login', { email, password: 'wrong password!' }),
      401,
      'invalid_credentials',
    )
    expect((await postAuth('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200)
  })
})

describe('10. registration limits', () => {
  it('limits registrations per email like logins', async () => {
    const email = uniqueEmail()
    const from = await createTokenSession()
    const statuses: number[] = []
    // 21 tries: the binding's window is fixed, so one window boundary may fall inside the loop.
    for (let i = 0; i < 21; i++)
      statuses.push(
        (await postAuth('/v1/auth/register', { email, password: PASSWORD }, from)).status,
      )
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202))
    expect(statuses.slice(10)).toContain(429)
  })

  it('limits registrations per address', async () => {
    const rt = await runtime()
    const seen: string[] = []
    const limits: Limiters = {
      ...rt.limits,
      authPerIp: async (key) => {
        seen.push(key)
      },
    }
    const app = await createApp({ ...rt, limits })
    const from = await createTokenSession()
    const res = await app.request('https://auth.example.com/v1/auth/register', {
      method: 'POST',
      headers: jsonHeaders({ 'CF-Connecting-IP': '192.0.2.44' }),
      body: JSON.stringify({
        email: uniqueEmail(),
        password: PASSWORD,
        refreshToken: from.refreshToken,
      }),
    })
    expect(res.status).toBe(202)
    expect(seen).toEqual(['192.0.2.44'])
  })
})

describe('11. links from the configured origin', () => {
  it('builds the mailed link from PUBLIC_ORIGIN, whatever Host says', async () => {
    const email = uniqueEmail()
    const app = await createApp(await runtime())
    const res = await app.request('https://evil.example/v1/auth/magic-link', {
      method: 'POST',
      headers: jsonHeaders({ Host: 'evil.example' }),
      body: JSON.stringify({ email }),
    })
    expect(res.status).toBe(202)
    const [message] = await readOutbox(email)
    expect(message!.link.startsWith('https://auth.example.com/v1/auth/magic-link#token=')).toBe(
      true,
    )
  })
})

describe('12. re-login from the same session', () => {
  it('keeps the grace rule for a tab still holding the secret from before', async () => {
    const email = uniqueEmail()
    const account = await signedIn(await createAccount(email, PASSWORD))
    const session = sessionOf(account)
    const again = await signedIn(
      await postAuth('/v1/auth/login', { email, password: PASSWORD }, session),
    )
    expect(again.session.id).toBe(session.sessionId)
    // Another tab's refresh with the secret from before the re-login, inside the grace window.
    const racing = await refreshWithToken(session.refreshToken)
    expect(racing.status).toBe(200)
    expect((await racing.json<SignInBody>()).tokens.refreshToken).toBe(again.tokens.refreshToken)
    expect(
      await countRows(
        'select count(*) as n from sessions where id = ? and revoked_at is null',
        session.sessionId,
      ),
    ).toBe(1)
  })
})

describe('13. cookie tossing with COOKIE_SECURE=false', () => {
  const base = {
    ENCRYPTION_KEY: btoa('k'.repeat(32)),
    PASSWORD_PEPPER: btoa('p'.repeat(32)),
    ADMIN_TOKEN: 'a'.repeat(24),
    AUDIENCE: 'x',
  }

  it('refuses insecure cookies on a domain name, where a sibling subdomain could plant them', () => {
    expect(() =>
      parseSettings({ ...base, COOKIE_SECURE: 'false', ISSUER: 'https://auth.example.com' }),
    ).toThrow(SettingsError)
    expect(() =>
      parseSettings({
        ...base,
        COOKIE_SECURE: 'false',
        ISSUER: 'x',
        PUBLIC_ORIGIN: 'http://localhost:8787',
      }),
    ).toThrow(/COOKIE_SECURE/)
  })

  it('allows them on an IP-address origin, as npm start uses', () => {
    for (const origin of ['http://127.0.0.1:8787', 'http://[::1]:8787'])
      expect(parseSettings({ ...base, COOKIE_SECURE: 'false', ISSUER: origin }).PUBLIC_ORIGIN).toBe(
        origin,
      )
  })
})

describe('a forgotten password', () => {
  const changePassword = (accessToken: string, body: Record<string, string>) =>
    api('/v1/auth/password', {
      method: 'POST',
      headers: jsonHeaders(bearer(accessToken)),
      body: JSON.stringify(body),
    })

  it('is replaced after a link sign-in, without the current one', async () => {
    const email = uniqueEmail()
    await signedIn(await createAccount(email, PASSWORD))
    const viaLink = await signedIn(
      await postAuth('/v1/auth/magic-link/verify', { token: await mailedLinkToken(email) }),
    )
    const res = await changePassword(viaLink.tokens.accessToken, {
      newPassword: 'a brand new password',
    })
    expect(res.status).toBe(204)
    expect(
      (await postAuth('/v1/auth/login', { email, password: 'a brand new password' })).status,
    ).toBe(200)
    await expectError(
      await postAuth('/v1/auth/login', { email, password: PASSWORD }),
      401,
      'invalid_credentials',
    )
  })

  it('needs the current password once the sign-in is older than five minutes', async () => {
    const email = uniqueEmail()
    const account = await signedIn(await createAccount(email, PASSWORD))
    advance(6 * 60_000)
    const { tokens } = await (
      await refreshWithToken(account.tokens.refreshToken)
    ).json<SignInBody>()
    await expectError(
      await changePassword(tokens.accessToken, { newPassword: 'a brand new password' }),
      403,
      'recent_sign_in_required',
    )
    await expectError(
      await changePassword(tokens.accessToken, {
        currentPassword: 'not the password',
        newPassword: 'a brand new password',
      }),
      403,
      'invalid_credentials',
    )
    const right = { currentPassword: PASSWORD, newPassword: 'a brand new password' }
    expect((await changePassword(tokens.accessToken, right)).status).toBe(204)
  })
})
