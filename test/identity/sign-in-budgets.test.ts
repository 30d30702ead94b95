/**
 * Who pays for a failed password or a link mail: an exact per-email budget that strangers share,
 * and a budget of its own for each client that signed in to the account before (its device
 * credential). Run as an attacker who knows only the owner's email would run them.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  CookieJar,
  countRows,
  expectError,
  jsonHeaders,
  post,
  readOutbox,
  type SignInBody,
  uniqueEmail,
  unlimitedApi,
} from '../helpers'
import { insertAccountWithHash, PASSWORD, unpepperedHash } from './password-accounts'

const WRONG = 'not the password at all'

afterEach(() => {
  vi.useRealTimers()
})

/** Moves the clock (the Worker and its D1 queries read `Date.now()`). */
function advance(ms: number): void {
  const now = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now + ms)
}

const statusCounts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>(
    (counts, res) => ({ ...counts, [res.status]: (counts[res.status] ?? 0) + 1 }),
    {},
  )

const failedLogins = (userId: string) =>
  countRows(
    "select count(*) as n from audit_events where type = 'auth.login_failed' and user_id = ?",
    userId,
  )

/** A browser (cookie transport) posting JSON with the app's Origin. */
const browserPost = (jar: CookieJar, path: string, body: unknown) =>
  jar.fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('4. exact back-off', () => {
  it('checks at most five of twenty simultaneous wrong passwords for one email', async () => {
    const email = uniqueEmail()
    const userId = await insertAccountWithHash(email, await unpepperedHash(PASSWORD))
    // The rate-limit bindings are off: the per-email count alone decides.
    const request = await unlimitedApi()
    const login = (password: string) =>
      request('/v1/auth/login', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ email, password }),
      })
    const responses = await Promise.all(Array.from({ length: 20 }, () => login(WRONG)))
    expect(statusCounts(responses)).toEqual({ 401: 5, 429: 15 })
    expect(await failedLogins(userId)).toBe(5)
    // The right password waits out the back-off like any guess from an unknown client...
    await expectError(await login(PASSWORD), 429, 'rate_limited')
    // ...and works once it has passed.
    advance(1_100)
    expect((await login(PASSWORD)).status).toBe(200)
    expect(await failedLogins(userId)).toBe(5)
  })
})

describe('5. the owner is never locked out by strangers', () => {
  it("signs the owner in from a browser that signed in before, after strangers' wrong passwords", async () => {
    const email = uniqueEmail()
    await insertAccountWithHash(email, await unpepperedHash(PASSWORD))
    const owner = new CookieJar()
    expect((await browserPost(owner, '/v1/auth/login', { email, password: PASSWORD })).status).toBe(
      200,
    )
    expect(owner.cookies.get('__Host-device')).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
    // Another account's device credential buys nothing for this email.
    const stranger = new CookieJar()
    const strangersOwn = uniqueEmail()
    await insertAccountWithHash(strangersOwn, await unpepperedHash(PASSWORD))
    await browserPost(stranger, '/v1/auth/login', { email: strangersOwn, password: PASSWORD })
    expect(stranger.cookies.has('__Host-device')).toBe(true)
    const strangers = [stranger, ...Array.from({ length: 5 }, () => new CookieJar())]
    const guesses = []
    for (const jar of strangers)
      guesses.push(await browserPost(jar, '/v1/auth/login', { email, password: WRONG }))
    expect(guesses.map((res) => res.status)).toEqual([401, 401, 401, 401, 401, 429])
    // Strangers share one budget: even the right password waits there.
    await expectError(
      await browserPost(new CookieJar(), '/v1/auth/login', { email, password: PASSWORD }),
      429,
      'rate_limited',
    )
    const again = await browserPost(owner, '/v1/auth/login', { email, password: PASSWORD })
    expect(again.status).toBe(200)
  })

  it('mails the owner a link from a client that signed in before, after strangers filled the cap', async () => {
    const email = uniqueEmail()
    await insertAccountWithHash(email, await unpepperedHash(PASSWORD))
    // A token client signs in once; its device credential comes in the answer.
    const signedIn = await post('/v1/auth/login', { email, password: PASSWORD })
    expect(signedIn.status).toBe(200)
    const { deviceCredential } = await signedIn.json<SignInBody & { deviceCredential: string }>()
    expect(deviceCredential).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
    // Ten strangers at once: all answer alike, and the mailbox gets exactly five.
    const requests = await Promise.all(
      Array.from({ length: 10 }, () => post('/v1/auth/magic-link', { email })),
    )
    expect(statusCounts(requests)).toEqual({ 202: 10 })
    expect(await readOutbox(email)).toHaveLength(5)
    // The owner's own request still gets through.
    expect((await post('/v1/auth/magic-link', { email, deviceCredential })).status).toBe(202)
    const mails = await readOutbox(email)
    expect(mails).toHaveLength(6)
    expect(mails[0]!.subject).toBe('Your sign-in link')
    // A link sign-in renews the same device credential.
    const verified = await post('/v1/auth/magic-link/verify', {
      token: mails[0]!.token,
      deviceCredential,
    })
    expect(verified.status).toBe(200)
    const renewed = await verified.json<{ deviceCredential: string }>()
    expect(renewed.deviceCredential.split('.')[0]).toBe(deviceCredential.split('.')[0])
  })

  it('gives a device credential only once the mailbox is proven', async () => {
    const email = uniqueEmail()
    const userId = await insertAccountWithHash(email, await unpepperedHash(PASSWORD))
    await env.DB.prepare('update users set email_verified_at = null where id = ?')
      .bind(userId)
      .run()
    // A password proves nothing about the mailbox: whoever registered it may be anyone.
    const res = await post('/v1/auth/login', { email, password: PASSWORD })
    expect(res.status).toBe(200)
    expect(await res.json()).not.toHaveProperty('deviceCredential')
    const jar = new CookieJar()
    expect((await browserPost(jar, '/v1/auth/login', { email, password: PASSWORD })).status).toBe(
      200,
    )
    expect(jar.cookies.has('__Host-device')).toBe(false)
    // A sign-in link proves it.
    expect((await browserPost(jar, '/v1/auth/magic-link', { email })).status).toBe(202)
    const [mail] = await readOutbox(email)
    const verified = await browserPost(jar, '/v1/auth/magic-link/verify', { token: mail!.token })
    expect(verified.status).toBe(200)
    expect(jar.cookies.get('__Host-device')).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
  })
})
