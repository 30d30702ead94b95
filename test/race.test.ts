import { describe, expect, it } from 'vitest'
import { LOGIN_FREE_FAILURES } from '../src/identity/credentials/login-backoff'
import {
  api,
  bearer,
  createAccount,
  createTokenSession,
  refreshWithToken,
  TOKEN_TRANSPORT,
  uniqueEmail,
  countRows,
  jsonHeaders,
  mailedConfirmation,
  mailedLinkToken,
  unlimitedApi,
} from './helpers'

/** A token-transport refresh through the app with the rate-limit bindings off. */
async function unlimited(path: string, refreshToken: string): Promise<Response> {
  const app = await unlimitedApi()
  return app(path, {
    method: 'POST',
    headers: jsonHeaders(),
    body: JSON.stringify({ refreshToken }),
  })
}

/** The app with the rate-limit bindings off: 50 logins for one email would meet the limit first. */
describe('races, with real concurrency', () => {
  it('issues 200 distinct anonymous users from 200 concurrent requests; 200 first refreshes store 200', async () => {
    const before = await countRows('select count(*) as n from users where is_anonymous = 1')
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        api('/v1/sessions/anonymous', { method: 'POST', headers: TOKEN_TRANSPORT }),
      ),
    )
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]))
    const bodies = await Promise.all(
      responses.map((r) =>
        r.json<{
          user: { id: string }
          session: { id: string }
          tokens: { refreshToken: string }
        }>(),
      ),
    )
    expect(new Set(bodies.map((b) => b.user.id)).size).toBe(200)
    expect(new Set(bodies.map((b) => b.session.id)).size).toBe(200)
    // Issued only: nothing stored until they come back.
    expect(await countRows('select count(*) as n from users where is_anonymous = 1')).toBe(before)
    const refreshed = await Promise.all(
      bodies.map((b) => unlimited('/v1/auth/refresh', b.tokens.refreshToken)),
    )
    expect(new Set(refreshed.map((r) => r.status))).toEqual(new Set([200]))
    expect(await countRows('select count(*) as n from users where is_anonymous = 1')).toBe(
      before + 200,
    )
    // 200 materialisations at once: 200 objects and D1 batches on a shared 2-core machine.
  }, 90_000)

  it('keeps one session alive through 5 tabs x 20 rounds of concurrent refreshes, with no false reuse', async () => {
    const s = await createTokenSession()
    let token = s.refreshToken
    for (let round = 0; round < 20; round++) {
      const responses = await Promise.all(Array.from({ length: 5 }, () => refreshWithToken(token)))
      expect(
        responses.map((r) => r.status),
        `round ${round}`,
      ).toEqual([200, 200, 200, 200, 200])
      const next = new Set(
        await Promise.all(
          responses.map(
            async (r) => (await r.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken,
          ),
        ),
      )
      expect(next.size, `round ${round}: one live token`).toBe(1)
      token = [...next][0]!
    }
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.reuse_detected'",
        s.sessionId,
      ),
    ).toBe(0)
    expect((await refreshWithToken(token)).status).toBe(200)
  })

  it('merges once when one anonymous session signs into one account 50 times at once', async () => {
    const email = uniqueEmail()
    const password = 'race password 1'
    expect((await createAccount(email, password)).status).toBe(200)
    const anon = await createTokenSession()
    const auth = jsonHeaders(bearer(anon.accessToken))
    await api('/v1/documents', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: 'made anonymously', content: 'x' }),
    })
    await api('/v1/me/preferences', {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ theme: 'dark' }),
    })

    const login = await unlimitedApi()
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        login('/v1/auth/login', {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ email, password, refreshToken: anon.refreshToken }),
        }),
      ),
    )
    // Each attempt is counted before its password is checked (the exact back-off), so one budget
    // has at most five checks in flight; the others are told to wait.
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([])
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(LOGIN_FREE_FAILURES)
    const bodies = await Promise.all(
      responses
        .filter((r) => r.status === 200)
        .map((r) => r.json<{ user: { id: string }; session: { id: string }; merge: unknown }>()),
    )
    expect(new Set(bodies.map((b) => b.user.id)).size).toBe(1)
    expect(new Set(bodies.map((b) => b.session.id))).toEqual(new Set([anon.sessionId]))
    expect(new Set(bodies.map((b) => JSON.stringify(b.merge))).size).toBe(1)
    const account = bodies[0]!.user.id
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from documents where user_id = ? and title = 'made anonymously'",
        account,
      ),
    ).toBe(1)
    expect(
      await countRows('select count(*) as n from documents where user_id = ?', anon.userId),
    ).toBe(0)
    // 50 sign-ins queue on one object's lock; 20 s is short on a 2-core machine shared with others.
  }, 60_000)

  it("makes one account when a registration's confirmation and a magic link race for the same email", async () => {
    const email = uniqueEmail()
    const from = await createTokenSession()
    const registration = await api('/v1/auth/register', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ email, password: 'race password 1', refreshToken: from.refreshToken }),
    })
    expect(registration.status).toBe(202)
    const { token: confirmation } = await mailedConfirmation(email)
    const token = await mailedLinkToken(email)
    const [registered, verified] = await Promise.all([
      api('/v1/auth/register/confirm', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ token: confirmation, refreshToken: from.refreshToken }),
      }),
      api('/v1/auth/magic-link/verify', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ token }),
      }),
    ])
    expect(verified.status).toBe(200)
    expect(registered.status).toBe(200)
    expect(await countRows('select count(*) as n from users where email = ?', email)).toBe(1)
    const viaLink = (await verified.json<{ user: { id: string } }>()).user.id
    expect((await registered.json<{ user: { id: string } }>()).user.id).toBe(viaLink)
  })
})

describe('races on an issued session (issue #12)', () => {
  const tokensOf = async (r: Response) =>
    (await r.json<{ tokens: { refreshToken: string; accessToken: string } }>()).tokens

  it('materialises once when five tabs send the first refresh at once; all five succeed with one successor', async () => {
    const s = await createTokenSession()
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => refreshWithToken(s.refreshToken)),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    const next = new Set(
      await Promise.all(responses.map(async (r) => (await tokensOf(r)).refreshToken)),
    )
    expect(next.size).toBe(1)
    expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(1)
    expect(await countRows('select count(*) as n from sessions where id = ?', s.sessionId)).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
        s.sessionId,
      ),
    ).toBe(1)
    // The first secret is now the previous one: after the grace rule, presenting it again is reuse.
    expect((await refreshWithToken([...next][0]!)).status).toBe(200)
  })

  it('leaves the session dead whichever wins when the first refresh races a logout', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await createTokenSession()
      const [refreshed, loggedOut] = await Promise.all([
        refreshWithToken(s.refreshToken),
        api('/v1/auth/logout', { method: 'POST', headers: jsonHeaders(bearer(s.accessToken)) }),
      ])
      expect(loggedOut.status).toBe(204)
      expect([200, 401]).toContain(refreshed.status)
      // Neither the first secret nor a successor the refresh may have got opens the session.
      expect((await refreshWithToken(s.refreshToken)).status).toBe(401)
      if (refreshed.status === 200) {
        const successor = (await tokensOf(refreshed)).refreshToken
        expect((await refreshWithToken(successor)).status).toBe(401)
      }
      expect(await countRows('select count(*) as n from sessions where id = ?', s.sessionId)).toBe(
        1,
      )
      expect(
        await countRows(
          'select count(*) as n from sessions where id = ? and revoked_at is null',
          s.sessionId,
        ),
      ).toBe(0)
    }
  })

  it('materialises and merges once when the first refresh races a sign-in from the same session', async () => {
    const email = uniqueEmail()
    const s = await createTokenSession()
    const registration = await api('/v1/auth/register', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ email, password: 'race password 1', refreshToken: s.refreshToken }),
    })
    expect(registration.status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const [refreshed, registered] = await Promise.all([
      refreshWithToken(s.refreshToken),
      api('/v1/auth/register/confirm', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ token, refreshToken: s.refreshToken }),
      }),
    ])
    expect(registered.status).toBe(200)
    const account = await registered.json<{
      user: { id: string }
      session: { id: string }
      tokens: { refreshToken: string }
    }>()
    // The sign-in went through the issued session itself: same id, its anonymous user merged.
    expect(account.session.id).toBe(s.sessionId)
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', s.userId),
    ).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
        s.sessionId,
      ),
    ).toBe(1)
    // Whichever came first, the refresh either succeeded before the sign-in or is superseded.
    expect([200, 401]).toContain(refreshed.status)
    if (refreshed.status === 401)
      expect((await refreshed.json<{ error: { code: string } }>()).error.code).toBe(
        'refresh_token_superseded',
      )
    expect((await refreshWithToken(account.tokens.refreshToken)).status).toBe(200)
  })
})
