import { evictDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app'
import { createResendMailer } from '../src/platform/mail/mailer'
import { writeMaterialisedSession } from '../src/session/materialise'
import {
  api,
  bearer,
  createAccount,
  createStoredSession,
  createTokenSession,
  refreshWithToken,
  runtime,
  uniqueEmail,
  countRows,
  jsonHeaders,
  mailedConfirmation,
  readOutbox,
  sessionObject,
} from './helpers'

const stubFor = sessionObject

describe('faults: nothing half-done, everything retryable', () => {
  it('survives the session object being evicted in the middle of a refresh', async () => {
    const s = await createStoredSession()
    const [res] = await Promise.all([
      refreshWithToken(s.refreshToken),
      evictDurableObject(stubFor(s.sessionId)),
    ])
    // Whether the refresh finished before the eviction or not, the session is intact afterwards.
    const token =
      res.status === 200
        ? (await res.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken
        : s.refreshToken
    const again = await refreshWithToken(token)
    expect(again.status).toBe(200)
    const third = await refreshWithToken(
      (await again.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken,
    )
    expect(third.status).toBe(200)
  })

  it('survives the session object being evicted in the middle of a merge, and the retry merges once', async () => {
    const email = uniqueEmail()
    const anon = await createTokenSession()
    await api('/v1/documents', {
      method: 'POST',
      headers: jsonHeaders(bearer(anon.accessToken)),
      body: JSON.stringify({ title: 'kept', content: 'x' }),
    })
    const registered = await api('/v1/auth/register', {
      method: 'POST',
      headers: jsonHeaders(bearer(anon.accessToken)),
      body: JSON.stringify({
        email,
        password: 'fault password 1',
        refreshToken: anon.refreshToken,
      }),
    })
    expect(registered.status).toBe(202)
    const { token } = await mailedConfirmation(email)
    const confirm = () =>
      api('/v1/auth/register/confirm', {
        method: 'POST',
        headers: jsonHeaders(bearer(anon.accessToken)),
        body: JSON.stringify({ token, refreshToken: anon.refreshToken }),
      })
    const [first] = await Promise.all([
      confirm(),
      evictDurableObject(stubFor(anon.sessionId)).catch(() => undefined),
    ])
    expect(first.status).toBeLessThan(500)
    // A retry: the account exists already, so it signs in instead; either way one merge.
    const retry =
      first.status === 200
        ? first
        : await api('/v1/auth/login', {
            method: 'POST',
            headers: jsonHeaders(bearer(anon.accessToken)),
            body: JSON.stringify({
              email,
              password: 'fault password 1',
              refreshToken: anon.refreshToken,
            }),
          })
    expect([200, 201]).toContain(retry.status)
    const { user } = await retry.json<{ user: { id: string } }>()
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anon.userId),
    ).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from documents where user_id = ? and title = 'kept'",
        user.id,
      ),
    ).toBe(1)
    expect(
      await countRows('select count(*) as n from documents where user_id = ?', anon.userId),
    ).toBe(0)
  })

  it('lifts the write hold of a merge that failed, so the anonymous session writes at once', async () => {
    const anon = await createTokenSession()
    const write = () =>
      api('/v1/documents', {
        method: 'POST',
        headers: jsonHeaders(bearer(anon.accessToken)),
        body: JSON.stringify({ title: 't', content: 'x' }),
      })
    expect((await write()).status).toBe(201)
    // A secret under a key id that is not configured: the merge stops (503) before its batch.
    await env.DB.prepare(
      "insert into secrets (user_id, name, value_sealed, created_at, updated_at) values (?, 'lost', 'NotAKeyId00:b.AAAAAAAAAAAAAAAA.AAAA', 0, 0)",
    )
      .bind(anon.userId)
      .run()
    const register = await createAccount(uniqueEmail(), 'fault password 1', anon)
    // 503 `misconfigured` inside the session object; it reaches the Worker as an error across RPC.
    expect(register.status).toBeGreaterThanOrEqual(500)
    // Nothing moved, and the anonymous user's data takes writes again at once (not after 30 s).
    expect((await write()).status).toBe(201)
    expect(
      await countRows('select count(*) as n from documents where user_id = ?', anon.userId),
    ).toBe(2)
  })

  it('survives the object being evicted in the middle of materialising an issued session: once, and retryable', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await createTokenSession()
      const [res] = await Promise.all([
        refreshWithToken(s.refreshToken),
        evictDurableObject(stubFor(s.sessionId)).catch(() => undefined),
      ])
      expect(res.status).toBeLessThan(500)
      // Retried with whatever the client holds: the first secret again, or its successor.
      const token =
        res.status === 200
          ? (await res.json<{ tokens: { refreshToken: string } }>()).tokens.refreshToken
          : s.refreshToken
      const again = await refreshWithToken(token)
      expect(again.status).toBe(200)
      expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(1)
      expect(await countRows('select count(*) as n from sessions where id = ?', s.sessionId)).toBe(
        1,
      )
      expect(
        await countRows(
          "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
          s.sessionId,
        ),
      ).toBe(1)
    }
  })

  it('writes D1 rows again without duplicates when a materialisation stopped between D1 and the object', async () => {
    const s = await createTokenSession()
    const rt = await runtime()
    const issuedAt = Number(JSON.parse(atob(s.accessToken.split('.')[1]!)).iat) * 1000
    // The batch of a materialisation whose object was evicted before storing its record.
    await writeMaterialisedSession(
      rt.db,
      {
        sessionId: s.sessionId,
        userId: s.userId,
        issuedAt,
        now: Date.now(),
        expiresAt: Date.now() + 60_000,
        absoluteExpiresAt: Date.now() + 60_000,
      },
      { ip: null, userAgent: null, country: null },
    )
    expect((await refreshWithToken(s.refreshToken)).status).toBe(200)
    expect(await countRows('select count(*) as n from users where id = ?', s.userId)).toBe(1)
    expect(await countRows('select count(*) as n from sessions where id = ?', s.sessionId)).toBe(1)
    expect(
      await countRows(
        "select count(*) as n from audit_events where session_id = ? and type = 'session.created'",
        s.sessionId,
      ),
    ).toBe(1)
  })

  it('answers 503 when the mail provider fails, and the retry sends a link that works', async () => {
    const rt = await runtime()
    const failing = await createApp({
      ...rt,
      mailer: createResendMailer(
        're_key',
        'a@example.com',
        async () => new Response('down', { status: 502 }),
      ),
    })
    const email = uniqueEmail()
    const res = await failing.request(
      'https://auth.test/v1/auth/magic-link',
      { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ email }) },
      env,
    )
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { code: 'mail_unavailable' } })

    expect(
      (
        await api('/v1/auth/magic-link', {
          method: 'POST',
          headers: jsonHeaders(),
          body: JSON.stringify({ email }),
        })
      ).status,
    ).toBe(202)
    const messages = await readOutbox(email)
    expect(messages).toHaveLength(1)
    const verified = await api('/v1/auth/magic-link/verify', {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ token: messages[0]!.token }),
    })
    expect(verified.status).toBe(200)
  })
})
