/**
 * Issue #13, finding 8: per-user quotas. Anonymous users are free to create, so without limits one
 * script could fill D1. Limits are the test environment's defaults (src/platform/config.ts), tighter for
 * anonymous users; each is checked inside the write's own statement, so racing writes cannot
 * overshoot it.
 */
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { runSweep } from '../../src/jobs/sweep'
import {
  api,
  createAccount,
  bearer,
  countRows,
  createTokenSession,
  expectError,
  jsonHeaders,
  runtime,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
} from '../helpers'

const send = (s: { accessToken: string }, method: string, path: string, body?: unknown) =>
  api(path, {
    method,
    headers: jsonHeaders(bearer(s.accessToken)),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const quotaError = (res: Response, status: 409 | 413) => expectError(res, status, 'quota_exceeded')

const settings = async () => (await runtime()).settings

const errorMessage = async (res: Response) =>
  (await res.json<{ error: { message: string } }>()).error.message

describe('8. quotas', () => {
  it('caps an anonymous user at QUOTA_DOCUMENTS_ANON documents, exactly, under 60 racing creates', async () => {
    const s = await createTokenSession()
    const limit = (await settings()).QUOTA_DOCUMENTS_ANON
    const results = await Promise.all(
      Array.from({ length: limit + 10 }, (_, i) =>
        send(s, 'POST', '/v1/documents', { title: `d${i}`, content: 'x' }),
      ),
    )
    const statuses = results.map((res) => res.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(limit)
    expect(statuses.filter((status) => status === 409)).toHaveLength(10)
    const refused = results.find((res) => res.status === 409)!
    const message = await errorMessage(refused)
    expect(message).toContain(`at most ${limit} documents`)
    expect(message).toContain('QUOTA_DOCUMENTS_ANON')
    expect(await countRows('select count(*) as n from documents where user_id = ?', s.userId)).toBe(
      limit,
    )
  })

  it('refuses documents past QUOTA_DOCUMENT_BYTES_ANON with 413, on create and on a growing update', async () => {
    const s = await createTokenSession()
    const limit = (await settings()).QUOTA_DOCUMENT_BYTES_ANON
    const big = 'é'.repeat(100_000) // 200,000 bytes in UTF-8, 100,000 characters
    const fits = Math.floor(limit / (200_000 + 2))
    for (let i = 0; i < fits; i++)
      expect(
        (await send(s, 'POST', '/v1/documents', { title: `b${i}`, content: big })).status,
      ).toBe(201)
    const over = await send(s, 'POST', '/v1/documents', { title: 'over', content: big })
    await quotaError(over.clone(), 413)
    expect(await errorMessage(over)).toContain('QUOTA_DOCUMENT_BYTES_ANON')

    const small = await (
      await send(s, 'POST', '/v1/documents', { title: 'small', content: 'x' })
    ).json<{ document: { id: string } }>()
    const grow = await send(s, 'PATCH', `/v1/documents/${small.document.id}`, { content: big })
    await quotaError(grow, 413)
    // A change that keeps the user within the limit still goes through.
    const rename = await send(s, 'PATCH', `/v1/documents/${small.document.id}`, {
      title: 'renamed',
    })
    expect(rename.status).toBe(200)
    const stored = await env.DB.prepare(
      'select sum(size_bytes) as bytes, count(*) as n from documents where user_id = ?',
    )
      .bind(s.userId)
      .first<{ bytes: number; n: number }>()
    expect(stored!.n).toBe(fits + 1)
    expect(stored!.bytes).toBeLessThanOrEqual(limit)
  })

  it('caps secrets and OAuth servers per anonymous user; replacing an existing one still works', async () => {
    const s = await createTokenSession()
    const secrets = (await settings()).QUOTA_SECRETS_ANON
    for (let i = 0; i < secrets; i++)
      expect((await send(s, 'PUT', `/v1/me/secrets/k${i}`, { value: 'v' })).status).toBe(204)
    const extra = await send(s, 'PUT', '/v1/me/secrets/one-more', { value: 'v' })
    expect(await errorMessage(extra.clone())).toContain('QUOTA_SECRETS_ANON')
    await quotaError(extra, 409)
    expect((await send(s, 'PUT', '/v1/me/secrets/k0', { value: 'new' })).status).toBe(204)

    const servers = (await settings()).QUOTA_OAUTH_SERVERS_ANON
    const tokens = { access_token: 'at', token_type: 'Bearer' }
    for (let i = 0; i < servers; i++)
      expect((await send(s, 'PUT', `/v1/oauth/srv${i}/tokens`, tokens)).status).toBe(204)
    const sixth = await send(s, 'PUT', '/v1/oauth/one-more/tokens', tokens)
    expect(await errorMessage(sixth.clone())).toContain('QUOTA_OAUTH_SERVERS_ANON')
    await quotaError(sixth, 409)
    expect(
      (await send(s, 'PUT', '/v1/oauth/srv0/verifier', { verifier: 'v'.repeat(43) })).status,
    ).toBe(204)
  })

  it('gives an account its own, larger quotas: signing in lifts the anonymous limits', async () => {
    const anon = await createTokenSession()
    const secrets = (await settings()).QUOTA_SECRETS_ANON
    for (let i = 0; i < secrets; i++)
      expect((await send(anon, 'PUT', `/v1/me/secrets/k${i}`, { value: 'v' })).status).toBe(204)
    const account = await (
      await createAccount(uniqueEmail(), 'long password 1', anon)
    ).json<SignInBody>()
    expect(account.merge?.moved.secrets).toBe(secrets)
    const signedIn = { accessToken: account.tokens.accessToken }
    expect(
      (await send(signedIn, 'PUT', '/v1/me/secrets/after-sign-in', { value: 'v' })).status,
    ).toBe(204)

    // An account's own limit comes from QUOTA_SECRETS.
    const rt = await runtime()
    const app = await createApp({ ...rt, settings: { ...rt.settings, QUOTA_SECRETS: secrets + 1 } })
    const res = await app.request(
      'https://auth.test/v1/me/secrets/past-the-account-limit',
      {
        method: 'PUT',
        headers: jsonHeaders(bearer(account.tokens.accessToken)),
        body: JSON.stringify({ value: 'v' }),
      },
      env,
    )
    expect(await errorMessage(res.clone())).toContain('QUOTA_SECRETS)')
    await quotaError(res, 409)
  })

  it("trims a user's audit trail to QUOTA_EVENTS_ANON, newest kept, in the sweep", async () => {
    const s = await createTokenSession()
    const limit = (await settings()).QUOTA_EVENTS_ANON
    const now = Date.now()
    // Events as a flood of sign-in attempts would leave them, written straight to D1.
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?2)
       insert into audit_events (user_id, type, at, detail) select ?1, 'auth.login_failed', ?3 + i, '{}' from n`,
    )
      .bind(s.userId, limit + 25, now - 10_000)
      .run()
    const result = await runSweep(await runtime(), { trigger: 'admin' })
    expect(result.counts.auditEventsOverQuota).toBeGreaterThanOrEqual(25)
    expect(
      await countRows('select count(*) as n from audit_events where user_id = ?', s.userId),
    ).toBe(limit)
    const oldest = await env.DB.prepare('select min(at) as at from audit_events where user_id = ?')
      .bind(s.userId)
      .first<{ at: number }>()
    // The newest `limit` survive: of the flood, the first 26 (the oldest) are gone.
    expect(oldest!.at).toBeGreaterThan(now - 10_000 + 25)
  })

  it('lists the heaviest users in admin metrics', async () => {
    const heavy: TokenSession = await createTokenSession()
    // Heavier than any other user of this file: 3 documents of 200,000 bytes and a secret.
    const content = 'z'.repeat(200_000)
    for (let i = 0; i < 3; i++)
      expect((await send(heavy, 'POST', '/v1/documents', { title: `h${i}`, content })).status).toBe(
        201,
      )
    expect((await send(heavy, 'PUT', '/v1/me/secrets/one', { value: 'v' })).status).toBe(204)
    const metrics = await (
      await api('/v1/admin/metrics', { headers: bearer(String(env.ADMIN_TOKEN)) })
    ).json<{ heaviestUsers: Array<Record<string, unknown>> }>()
    expect(metrics.heaviestUsers.find((user) => user.userId === heavy.userId)).toMatchObject({
      userId: heavy.userId,
      documents: 3,
      documentBytes: 3 * (200_000 + 2),
      secrets: 1,
    })
  })
})

describe('property: quotas hold under any sequence of document writes', () => {
  it('never stores more than the limits, and size_bytes is the UTF-8 size, whatever the writes', async () => {
    const rt = await runtime()
    const limits = { QUOTA_DOCUMENTS_ANON: 4, QUOTA_DOCUMENT_BYTES_ANON: 600 }
    const app = await createApp({ ...rt, settings: { ...rt.settings, ...limits } })
    const call = (s: TokenSession, method: string, path: string, body?: unknown) =>
      app.request(
        `https://auth.test${path}`,
        {
          method,
          headers: jsonHeaders(bearer(s.accessToken)),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        env,
      )
    const text = fc.string({ unit: 'binary', maxLength: 120 })
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('create' as const),
        title: text.filter(Boolean),
        content: text,
      }),
      fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), content: text }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const s = await createTokenSession()
        const ids: string[] = []
        for (const o of ops) {
          const id = ids.length ? ids[('pick' in o ? o.pick : 0) % ids.length] : undefined
          const res =
            o.kind === 'create'
              ? await call(s, 'POST', '/v1/documents', { title: o.title, content: o.content })
              : id === undefined
                ? null
                : o.kind === 'update'
                  ? await call(s, 'PATCH', `/v1/documents/${id}`, { content: o.content })
                  : await call(s, 'DELETE', `/v1/documents/${id}`)
          if (!res) continue
          expect([200, 201, 204, 409, 413]).toContain(res.status)
          if (res.status === 201)
            ids.push((await res.json<{ document: { id: string } }>()).document.id)
          if (o.kind === 'delete' && res.status === 204) ids.splice(ids.indexOf(id!), 1)
        }
        const rows = await env.DB.prepare(
          'select title, content, size_bytes from documents where user_id = ?',
        )
          .bind(s.userId)
          .all<{ title: string; content: string; size_bytes: number }>()
        const bytes = (value: string) => new TextEncoder().encode(value).length
        expect(rows.results.length).toBeLessThanOrEqual(limits.QUOTA_DOCUMENTS_ANON)
        for (const row of rows.results)
          expect(row.size_bytes).toBe(bytes(row.title) + bytes(row.content))
        const total = rows.results.reduce((sum, row) => sum + row.size_bytes, 0)
        expect(total).toBeLessThanOrEqual(limits.QUOTA_DOCUMENT_BYTES_ANON)
      }),
      { numRuns: 25 },
    )
  })
})
