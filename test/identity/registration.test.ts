/**
 * Registration makes no account until its mailbox answers: the registering session stays
 * anonymous, a confirmation (link and code) creates the account, and only the session that
 * registered keeps its password and merges. Driven as a person and an attacker would, through the
 * Worker.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  countRows,
  createAccount,
  createTokenSession,
  expectError,
  jsonHeaders,
  mailedConfirmation,
  mailedLinkToken,
  postAuth,
  readOutbox,
  sessionOf,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
} from '../helpers'

const PASSWORD = 'correct horse battery'
const ATTACKER_PASSWORD = 'the attacker chose this'

const registerFrom = (from: TokenSession | undefined, email: string, password = PASSWORD) =>
  postAuth('/v1/auth/register', { email, password }, from)
const confirmFrom = (from: TokenSession | undefined, token: string) =>
  postAuth('/v1/auth/register/confirm', { token }, from)
const loginAs = (email: string, password: string) => postAuth('/v1/auth/login', { email, password })

async function signedIn(res: Response): Promise<SignInBody> {
  expect(res.status).toBe(200)
  return res.json<SignInBody>()
}

function send(s: { accessToken: string }, method: string, path: string, body?: unknown) {
  return api(path, {
    method,
    headers: jsonHeaders(bearer(s.accessToken)),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

/** Everything the attacker of the issue stores: a secret, OAuth tokens, a document, a preference. */
async function plant(s: { accessToken: string }): Promise<void> {
  expect((await send(s, 'PUT', '/v1/me/secrets/OPENAI_KEY', { value: 'sk-attacker' })).status).toBe(
    204,
  )
  const tokens = { access_token: 'attacker-token', token_type: 'Bearer' }
  expect((await send(s, 'PUT', '/v1/oauth/linear/tokens', tokens)).status).toBe(204)
  const doc = { title: 'attacker', content: 'planted' }
  expect((await send(s, 'POST', '/v1/documents', doc)).status).toBe(201)
  const webhook = { webhook: 'https://attacker.example/hook' }
  expect((await send(s, 'PATCH', '/v1/me/preferences', webhook)).status).toBe(200)
}

/** Asserts that `s` sees none of what `plant` stores. */
async function expectNothingPlanted(s: { accessToken: string }): Promise<void> {
  await expectError(await send(s, 'GET', '/v1/oauth/linear/tokens'), 404)
  const secrets = await (await send(s, 'GET', '/v1/me/secrets')).json<{ secrets: unknown[] }>()
  expect(secrets.secrets).toEqual([])
  const docs = await (await send(s, 'GET', '/v1/documents')).json<{ documents: unknown[] }>()
  expect(docs.documents).toEqual([])
  const prefs = await (
    await send(s, 'GET', '/v1/me/preferences')
  ).json<{
    preferences: Record<string, unknown>
  }>()
  expect(prefs.preferences.webhook).toBeUndefined()
}

describe('1. pre-account hijacking', () => {
  it('leaves nothing the attacker stored in the account the owner signs in to by link', async () => {
    const email = uniqueEmail()
    const anonymous = await createTokenSession()
    const registered = await registerFrom(anonymous, email, ATTACKER_PASSWORD)
    // Whatever registration answered, the attacker stores the plants with what it handed out.
    const attacker =
      registered.status === 201 ? sessionOf(await registered.json<SignInBody>()) : anonymous
    await plant(attacker)

    const ownerBrowser = await createTokenSession()
    const token = await mailedLinkToken(email, ownerBrowser)
    const owner = await signedIn(
      await postAuth('/v1/auth/magic-link/verify', { token }, ownerBrowser),
    )
    await expectNothingPlanted(owner.tokens)
    await expectError(await loginAs(email, ATTACKER_PASSWORD), 401, 'invalid_credentials')
    // The attacker's plants stayed with the attacker's own anonymous user.
    const mine = await send(attacker, 'GET', '/v1/oauth/linear/tokens')
    expect(mine.status).toBe(200)
    const me = await (await send(attacker, 'GET', '/v1/me')).json<SignInBody>()
    expect(me.user).toMatchObject({ id: anonymous.userId, isAnonymous: true })
  })

  it('keeps no attacker password when the owner clicks a confirmation they never asked for', async () => {
    const email = uniqueEmail()
    const attacker = await createTokenSession()
    expect((await registerFrom(attacker, email, ATTACKER_PASSWORD)).status).toBe(202)
    await plant(attacker)
    const { token } = await mailedConfirmation(email)

    const ownerBrowser = await createTokenSession()
    const owner = await signedIn(await confirmFrom(ownerBrowser, token))
    expect(owner.user).toMatchObject({ email, isAnonymous: false })
    // Another browser's confirmation signs in beside that browser's data, merging nothing.
    expect(owner.merge).toBeNull()
    expect(owner.session.id).not.toBe(ownerBrowser.sessionId)
    await expectNothingPlanted(owner.tokens)
    await expectError(await loginAs(email, ATTACKER_PASSWORD), 401, 'invalid_credentials')
    const row = await env.DB.prepare(
      'select email_verified_at as at, password_hash as hash from users where email = ?',
    )
      .bind(email)
      .first<{ at: number | null; hash: string | null }>()
    expect(row?.at).toBeGreaterThan(0)
    expect(row?.hash).toBeNull()
    // The attacker's session is no way into the account either.
    const me = await (await send(attacker, 'GET', '/v1/me')).json<SignInBody>()
    expect(me.user).toMatchObject({ id: attacker.userId, isAnonymous: true })
    await expectError(await confirmFrom(attacker, token), 400, 'invalid_or_expired_token')
  })
})

describe('register', () => {
  it('answers the same 202 for an unknown and a proven email, and changes no identity', async () => {
    const known = uniqueEmail()
    await signedIn(await createAccount(known, PASSWORD))
    const s = await createTokenSession()
    const answers = await Promise.all(
      [uniqueEmail(), known].map(async (email) => {
        const res = await registerFrom(s, email, 'another password 2')
        return { status: res.status, body: await res.json(), cookies: res.headers.getSetCookie() }
      }),
    )
    expect(answers[0]).toEqual({ status: 202, body: { sent: true }, cookies: [] })
    expect(answers[1]).toEqual(answers[0])
    const me = await (await send(s, 'GET', '/v1/me')).json<SignInBody>()
    expect(me.user).toMatchObject({ id: s.userId, isAnonymous: true })
    expect(me.session.id).toBe(s.sessionId)
    // The proven account is told, not changed.
    const [notice] = await readOutbox(known)
    expect(notice!.subject).toBe('You already have an account')
    expect(notice!.token).toBeNull()
    expect((await loginAs(known, PASSWORD)).status).toBe(200)
    await expectError(await loginAs(known, 'another password 2'), 401, 'invalid_credentials')
  })

  it('creates no account and no user row before the confirmation', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    expect((await registerFrom(s, email)).status).toBe(202)
    expect(await countRows('select count(*) as n from users where email = ?', email)).toBe(0)
    await expectError(await loginAs(email, PASSWORD), 401, 'invalid_credentials')
    const stored = await countRows(
      'select count(*) as n from magic_links where email = ? and password_hash is not null',
      email,
    )
    expect(stored).toBe(1)
  })

  it('needs the registering session proven by its refresh credential', async () => {
    const email = uniqueEmail()
    await expectError(await registerFrom(undefined, email), 401, 'session_required')
    const s = await createTokenSession()
    const forged = { ...s, refreshToken: `${s.sessionId}.${'A'.repeat(43)}` }
    await expectError(await registerFrom(forged, email), 401, 'session_required')
    expect(await readOutbox(email)).toEqual([])
  })
})

describe('confirmation', () => {
  it('by link in the registering session: the account, proven, with its password, merged once', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    expect((await send(s, 'POST', '/v1/documents', { title: 'mine', content: 'x' })).status).toBe(
      201,
    )
    expect((await registerFrom(s, email)).status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const clicks = await Promise.all([confirmFrom(s, token), confirmFrom(s, token)])
    const bodies = await Promise.all(clicks.map(signedIn))
    for (const body of bodies) {
      expect(body.user).toMatchObject({ email, isAnonymous: false })
      expect(body.session.id).toBe(s.sessionId)
      expect(body.merge).toMatchObject({ from: s.userId, moved: { documents: 1 } })
    }
    expect(bodies[1]!.user.id).toBe(bodies[0]!.user.id)
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', s.userId),
    ).toBe(1)
    const row = await env.DB.prepare(
      'select email_verified_at as at, password_hash as hash from users where email = ?',
    )
      .bind(email)
      .first<{ at: number | null; hash: string | null }>()
    expect(row?.at).toBeGreaterThan(0)
    expect(row?.hash).toMatch(/^pbkdf2-sha256-hmac\$/)
    expect((await loginAs(email, PASSWORD)).status).toBe(200)
    // The pending password left the link row with its use.
    const pending = await countRows(
      'select count(*) as n from magic_links where email = ? and password_hash is not null',
      email,
    )
    expect(pending).toBe(0)
  })

  it('by code in the registering session, even after the link was opened on another device', async () => {
    const email = uniqueEmail()
    const laptop = await createTokenSession()
    expect((await send(laptop, 'POST', '/v1/documents', { title: 'l', content: 'x' })).status).toBe(
      201,
    )
    expect((await registerFrom(laptop, email)).status).toBe(202)
    const { token, code } = await mailedConfirmation(email)
    const phone = await signedIn(await confirmFrom(undefined, token))
    // The phone got in without the password chosen on the laptop.
    await expectError(await loginAs(email, PASSWORD), 401, 'invalid_credentials')

    const typed = await signedIn(
      await postAuth('/v1/auth/register/code', { email, code: code.toLowerCase() }, laptop),
    )
    expect(typed.user.id).toBe(phone.user.id)
    expect(typed.session.id).toBe(laptop.sessionId)
    expect(typed.merge).toMatchObject({ from: laptop.userId, moved: { documents: 1 } })
    expect((await loginAs(email, PASSWORD)).status).toBe(200)
  })

  it('counts code tries only for the proven session, five at most, even in a burst', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    expect((await registerFrom(s, email)).status).toBe(202)
    const { code } = await mailedConfirmation(email)
    const named = { ...s, refreshToken: `${s.sessionId}.${'A'.repeat(43)}` }
    for (let i = 0; i < 6; i++)
      await expectError(
        await postAuth('/v1/auth/register/code', { email, code: 'ZZZZ-ZZZZ' }, named),
        401,
        'session_required',
      )
    const wrong = await Promise.all(
      Array.from({ length: 8 }, () =>
        postAuth('/v1/auth/register/code', { email, code: 'ZZZZ-ZZZZ' }, s),
      ),
    )
    for (const res of wrong) await expectError(res, 400, 'invalid_or_expired_code')
    const tries = await countRows(
      'select code_attempts as n from magic_links where email = ? and purpose = ?',
      email,
      'register',
    )
    expect(tries).toBe(5)
    await expectError(
      await postAuth('/v1/auth/register/code', { email, code }, s),
      400,
      'invalid_or_expired_code',
    )
  })

  it('is single use across sessions: of two browsers clicking at once, one gets in', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    expect((await registerFrom(s, email)).status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const [a, b] = await Promise.all([
      confirmFrom(await createTokenSession(), token),
      confirmFrom(await createTokenSession(), token),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 400])
    // The registering session comes too late for the link; the code still brings it in.
    await expectError(await confirmFrom(s, token), 400, 'invalid_or_expired_token')
    expect(await countRows('select count(*) as n from users where email = ?', email)).toBe(1)
  })

  it('is repeated for the browser it signed in elsewhere (a double click), and for no one else', async () => {
    const email = uniqueEmail()
    expect((await registerFrom(await createTokenSession(), email)).status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const first = sessionOf(await signedIn(await confirmFrom(undefined, token)))
    const again = await signedIn(await confirmFrom(first, token))
    expect(again.session.id).toBe(first.sessionId)
    await expectError(await confirmFrom(undefined, token), 400, 'invalid_or_expired_token')
  })

  it('is not a sign-in link, and a sign-in link is no confirmation', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    expect((await registerFrom(s, email)).status).toBe(202)
    const { token } = await mailedConfirmation(email)
    await expectError(
      await postAuth('/v1/auth/magic-link/verify', { token }, s),
      400,
      'invalid_or_expired_token',
    )
    const signInToken = await mailedLinkToken(email, s)
    await expectError(await confirmFrom(s, signInToken), 400, 'invalid_or_expired_token')
    const preview = await postAuth('/v1/auth/magic-link/preview', { token }, s)
    expect(await preview.json()).toMatchObject({ purpose: 'register', sameSession: true })
  })

  it('gives an ADMIN_EMAILS address the admin role once confirmed, never before', async () => {
    // .dev.vars.test sets ADMIN_EMAILS=boss@example.com; test storage starts empty every run.
    const s = await createTokenSession()
    expect((await registerFrom(s, 'BOSS@EXAMPLE.COM')).status).toBe(202)
    await expectError(await api('/v1/admin/metrics', { headers: bearer(s.accessToken) }), 403)
    const { token } = await mailedConfirmation('boss@example.com')
    const confirmed = await signedIn(await confirmFrom(s, token))
    expect(confirmed.user.role).toBe('admin')
    const metrics = await api('/v1/admin/metrics', {
      headers: bearer(confirmed.tokens.accessToken),
    })
    expect(metrics.status).toBe(200)
  })
})

describe('confirmation mails', () => {
  it("count against the address's link-mail cap: strangers cannot flood a mailbox by registering", async () => {
    const email = uniqueEmail()
    const strangers = await Promise.all(Array.from({ length: 8 }, () => createTokenSession()))
    const answers = await Promise.all(strangers.map((s) => registerFrom(s, email)))
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(202))
    expect((await readOutbox(email)).length).toBe(5)
  })
})
