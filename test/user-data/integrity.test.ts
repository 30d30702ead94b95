/**
 * Issue #13's findings closed so far: each attack as a test that succeeded before the fix.
 * (Finding 1's guessed secret is in sessions.test.ts.)
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { runSweep } from '../../src/jobs/sweep'
import { addressKey, createLimiters } from '../../src/platform/limits/rate-limits'
import { seal } from '../../src/platform/crypto/sealing'
import {
  api,
  createAccount,
  bearer,
  CookieJar,
  countRows,
  createStoredSession,
  createTokenSession,
  expectError,
  jsonHeaders,
  mailedLinkToken,
  postAuth,
  runtime,
  type SignInBody,
  TOKEN_TRANSPORT,
  uniqueEmail,
  sessionObject,
} from '../helpers'

describe('2. the HttpOnly refresh cookie stays out of script', () => {
  it('refuses token transport on a request that carries the session cookie', async () => {
    const jar = new CookieJar()
    expect((await jar.fetch('/v1/me')).status).toBe(200)
    const before = jar.cookies.get('__Host-session')
    const res = await jar.fetch('/v1/auth/refresh', { method: 'POST', headers: TOKEN_TRANSPORT })
    await expectError(res, 400, 'transport_conflict')
    // Nothing rotated: the browser's cookie still refreshes.
    expect(jar.cookies.get('__Host-session')).toBe(before)
    jar.cookies.delete('__Host-access')
    expect((await jar.fetch('/v1/me')).status).toBe(200)
  })
})

describe('7. per-address limits', () => {
  it('keys an IPv6 address on its /64 and an IPv4 address on itself', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1')
    expect(addressKey('not an address')).toBe('not an address')
  })

  it('gives every neighbour in one /64 the same bucket', async () => {
    const rt = await runtime()
    const keys: string[] = []
    const binding = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key)
        return { success: true }
      },
    }
    const limits = createLimiters(
      { anonymousPerIp: binding, authPerIp: binding },
      rt.settings,
      rt.analytics,
    )
    await limits.anonymousPerIp('2001:db8:5:6::1')
    await limits.anonymousPerIp('2001:db8:5:6:ffff::2')
    await limits.authPerIp('2001:db8:5:6::3')
    expect(new Set(keys)).toEqual(new Set(['2001:db8:5:6::/64']))
  })
})

describe('4. erase leaves nothing of the user', () => {
  it('removes every row and object entry that names the user, merged-in identities included', async () => {
    const email = uniqueEmail()
    const anon = await createStoredSession()
    const write = (token: string, title: string) =>
      api('/v1/documents', {
        method: 'POST',
        headers: jsonHeaders(bearer(token)),
        body: JSON.stringify({ title, content: 'private' }),
      })
    expect((await write(anon.accessToken, 'before')).status).toBe(201)
    const secret = await api('/v1/me/secrets/key', {
      method: 'PUT',
      headers: jsonHeaders(bearer(anon.accessToken)),
      body: JSON.stringify({ value: 'sk-private' }),
    })
    expect(secret.status).toBe(204)
    await postAuth('/v1/auth/login', { email, password: 'not the password' })
    const token = await mailedLinkToken(email, anon)
    const account = await (
      await postAuth('/v1/auth/magic-link/verify', { token }, anon)
    ).json<SignInBody>()
    expect(account.merge?.from).toBe(anon.userId)
    // A write by the anonymous token after the merge would vanish under the old id: refused.
    await expectError(await write(anon.accessToken, 'late'), 401, 'token_superseded')

    const erased = await api(`/v1/admin/users/${account.user.id}`, {
      method: 'DELETE',
      headers: bearer(String(env.ADMIN_TOKEN)),
    })
    expect(erased.status).toBe(204)

    const names = [account.user.id, anon.userId, anon.sessionId, email]
    const tables = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations'",
    ).all<{ name: string }>()
    expect(tables.results.length).toBeGreaterThan(10)
    const left: string[] = []
    for (const { name } of tables.results) {
      const rows = await env.DB.prepare(`select * from "${name}"`).all()
      for (const row of rows.results) {
        // The admin's own audit record of the erasure names the id, and nothing else of the user.
        if (row.type === 'admin.user_erased') continue
        const text = JSON.stringify(row)
        if (names.some((n) => text.includes(n))) left.push(`${name}: ${text}`)
      }
    }
    expect(left).toEqual([])
    const stub = sessionObject(anon.sessionId)
    const kept = await runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()])
    // Only the tombstone that keeps the session's first secret from reviving it: a time, no more.
    expect(kept).toEqual([['ended', { until: expect.any(Number) }]])
  })
})

describe('3. writes that would vanish', () => {
  const write = (token: string) =>
    api('/v1/documents', {
      method: 'POST',
      headers: jsonHeaders(bearer(token)),
      body: JSON.stringify({ title: 'late', content: 'x' }),
    })

  it('refuses a write by a token from before a merge; the refreshed session writes to the account', async () => {
    const anon = await createTokenSession()
    const account = await (
      await createAccount(uniqueEmail(), 'long password 1', anon)
    ).json<SignInBody>()
    expect(account.merge?.from).toBe(anon.userId)
    await expectError(await write(anon.accessToken), 401, 'token_superseded')
    expect((await write(account.tokens.accessToken)).status).toBe(201)
    const listed = await api('/v1/documents', { headers: bearer(account.tokens.accessToken) })
    expect((await listed.json<{ documents: unknown[] }>()).documents).toHaveLength(1)
  })

  it('leaves nothing behind from a second tab that writes while the merge runs', async () => {
    const anon = await createTokenSession()
    const send = (token: string, method: string, path: string, body: unknown) =>
      api(path, { method, headers: jsonHeaders(bearer(token)), body: JSON.stringify(body) })
    // Data for the merge to read, re-seal and move, so its reads and its batch are apart.
    for (let i = 0; i < 10; i++) {
      expect(
        (await send(anon.accessToken, 'PUT', `/v1/me/secrets/seed${i}`, { value: 'v' })).status,
      ).toBe(204)
      expect((await write(anon.accessToken)).status).toBe(201)
    }
    let account: SignInBody | null = null
    const signIn = createAccount(uniqueEmail(), 'long password 1', anon)
      .then((res) => res.json<SignInBody>())
      .then((body) => (account = body))
    const landed = { documents: [] as string[], preferences: [] as string[] }
    // One write as the SDK makes it: refused as superseded, it refreshes (here: awaits the sign-in)
    // and retries under the account.
    const writeOnce = async (method: string, path: string, body: unknown) => {
      const res = await send(anon.accessToken, method, path, body)
      if (res.status !== 401) return res.status
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe('token_superseded')
      return (await send((await signIn).tokens.accessToken, method, path, body)).status
    }
    const tab = async (t: number) => {
      for (let i = 0; account === null && i < 300; i++) {
        const title = `tab${t}-${i}`
        if ((await writeOnce('POST', '/v1/documents', { title, content: 'x' })) === 201)
          landed.documents.push(title)
        if ((await writeOnce('PATCH', '/v1/me/preferences', { [title]: true })) === 200)
          landed.preferences.push(title)
      }
    }
    await Promise.all([signIn, tab(0), tab(1), tab(2)])
    const into = (account as SignInBody | null)!.user.id
    expect(landed.documents.length).toBeGreaterThan(0)

    const titles = await env.DB.prepare('select title from documents where user_id = ?')
      .bind(into)
      .all<{ title: string }>()
    expect(titles.results.map((row) => row.title)).toEqual(expect.arrayContaining(landed.documents))
    const prefs = await env.DB.prepare('select data from preferences where user_id = ?')
      .bind(into)
      .first<{ data: string }>()
    expect(Object.keys(JSON.parse(prefs?.data ?? '{}'))).toEqual(
      expect.arrayContaining(landed.preferences),
    )
    for (const table of ['documents', 'secrets', 'preferences', 'oauth_records'])
      expect(
        await countRows(`select count(*) as n from ${table} where user_id = ?`, anon.userId),
        table,
      ).toBe(0)
  })

  it('refuses a write by a token of an erased user', async () => {
    const anon = await createStoredSession()
    const erased = await api(`/v1/admin/users/${anon.userId}`, {
      method: 'DELETE',
      headers: bearer(String(env.ADMIN_TOKEN)),
    })
    expect(erased.status).toBe(204)
    await expectError(await write(anon.accessToken), 401, 'token_superseded')
    const stray = await env.DB.prepare('select count(*) as n from documents where user_id = ?')
      .bind(anon.userId)
      .first<{ n: number }>()
    expect(stray?.n).toBe(0)
  })
})

describe('9. sealed values are bound to their row', () => {
  const sealedSecret = async (userId: string, name: string) =>
    (await env.DB.prepare('select value_sealed as v from secrets where user_id = ? and name = ?')
      .bind(userId, name)
      .first<{ v: string }>())!.v
  const setSealedSecret = (userId: string, name: string, value: string) =>
    env.DB.prepare('update secrets set value_sealed = ? where user_id = ? and name = ?')
      .bind(value, userId, name)
      .run()
  const putSecret = (s: { accessToken: string }, name: string, value: string) =>
    api(`/v1/me/secrets/${name}`, {
      method: 'PUT',
      headers: jsonHeaders(bearer(s.accessToken)),
      body: JSON.stringify({ value }),
    })
  const readSecret = (s: { accessToken: string }, name: string) =>
    api(`/v1/me/secrets/${name}`, { headers: bearer(s.accessToken) })

  it("does not open one secret's value in another secret's row of the same user", async () => {
    const s = await createTokenSession()
    expect((await putSecret(s, 'github', 'gh-value')).status).toBe(204)
    expect((await putSecret(s, 'openai', 'sk-value')).status).toBe(204)
    // An attacker with write access to D1 swaps the two rows' values.
    const [github, openai] = [
      await sealedSecret(s.userId, 'github'),
      await sealedSecret(s.userId, 'openai'),
    ]
    await setSealedSecret(s.userId, 'github', openai)
    await setSealedSecret(s.userId, 'openai', github)
    for (const name of ['github', 'openai']) {
      const res = await readSecret(s, name)
      const text = await res.text()
      expect(res.status).toBe(500)
      expect(text).not.toContain('-value')
    }
  })

  it("does not open an OAuth field's value in another field or another server's record", async () => {
    const s = await createTokenSession()
    const put = (path: string, body: unknown) =>
      api(path, {
        method: 'PUT',
        headers: jsonHeaders(bearer(s.accessToken)),
        body: JSON.stringify(body),
      })
    const tokens = { access_token: 'at-one', token_type: 'Bearer' }
    const client = { client_id: 'client-one', redirect_uris: ['https://app.example.com/cb'] }
    expect((await put('/v1/oauth/one/tokens', tokens)).status).toBe(204)
    expect((await put('/v1/oauth/one/client', client)).status).toBe(204)
    expect((await put('/v1/oauth/two/tokens', { ...tokens, access_token: 'at-two' })).status).toBe(
      204,
    )
    const row = (server: string) =>
      env.DB.prepare(
        'select tokens_sealed as t, client_sealed as c from oauth_records where user_id = ? and server_id = ?',
      )
        .bind(s.userId, server)
        .first<{ t: string; c: string }>()
    const [one, two] = [(await row('one'))!, (await row('two'))!]
    // Server two's tokens moved into server one's row; one's client value into its tokens column.
    await env.DB.prepare(
      'update oauth_records set tokens_sealed = ?, client_sealed = ? where user_id = ? and server_id = ?',
    )
      .bind(two.t, one.t, s.userId, 'one')
      .run()
    const read = (path: string) => api(path, { headers: bearer(s.accessToken) })
    for (const path of ['/v1/oauth/one/tokens', '/v1/oauth/one/client']) {
      const res = await read(path)
      const text = await res.text()
      expect(res.status, path).toBe(500)
      expect(text).not.toContain('at-')
    }
  })

  it('still opens values sealed before binding, and the sweep rewrites them bound', async () => {
    const s = await createTokenSession()
    expect((await putSecret(s, 'legacy', 'placeholder')).status).toBe(204)
    const rt = await runtime()
    const keys = rt.userKeys(s.userId)
    const key = (await keys.keyFor(keys.currentId))!
    // The form every value had before this change: labelled with its key id, no associated data.
    const unbound = `${keys.currentId}:${await seal(key, 'old-value')}`
    await setSealedSecret(s.userId, 'legacy', unbound)
    expect(await (await readSecret(s, 'legacy')).json()).toEqual({
      name: 'legacy',
      value: 'old-value',
    })
    await runSweep(rt, { trigger: 'admin' })
    const rewritten = await sealedSecret(s.userId, 'legacy')
    expect(rewritten.startsWith(`${keys.currentId}:b.`)).toBe(true)
    expect(await (await readSecret(s, 'legacy')).json()).toEqual({
      name: 'legacy',
      value: 'old-value',
    })
  })
})

describe('1. refresh is rate limited', () => {
  it('limits refreshes per session and per address', async () => {
    const rt = await runtime()
    const seen: Record<string, number> = {}
    const binding = (limit: number) => ({
      limit: async ({ key }: { key: string }) => {
        seen[key] = (seen[key] ?? 0) + 1
        return { success: seen[key]! <= limit }
      },
    })
    const limits = createLimiters(
      { refreshPerSession: binding(3), refreshPerIp: binding(1000) },
      rt.settings,
      rt.analytics,
    )
    const app = await createApp({ ...rt, limits })
    const s = await createTokenSession()
    let token = s.refreshToken
    const refresh = () =>
      app.request('https://auth.example.com/v1/auth/refresh', {
        method: 'POST',
        headers: jsonHeaders({ 'CF-Connecting-IP': '2001:db8:7:7::1' }),
        body: JSON.stringify({ refreshToken: token }),
      })
    for (let i = 0; i < 3; i++) {
      const res = await refresh()
      expect(res.status).toBe(200)
      token = (await res.json<SignInBody>()).tokens.refreshToken
    }
    const limited = await refresh()
    await expectError(limited, 429, 'rate_limited')
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(seen[s.sessionId]).toBe(4)
    expect(seen['2001:db8:7:7::/64']).toBe(4)
  })
})

describe('5. the sweep trusts no lagging index', () => {
  /** The app and runtime with a 70 s idle expiry and a 1 s anonymous TTL, the settings. */
  async function shortLived() {
    const base = await runtime()
    const rt = { ...base, settings: { ...base.settings, SESSION_IDLE_TTL: 70, ANON_USER_TTL: 1 } }
    const app = await createApp(rt)
    const post = (path: string, body: object, headers: Record<string, string> = {}) =>
      app.request(`https://auth.example.com${path}`, {
        method: 'POST',
        headers: jsonHeaders(headers),
        body: JSON.stringify(body),
      })
    return { rt, app, post }
  }
  const at = (ms: number) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(ms)
  }
  afterEach(() => {
    vi.useRealTimers()
  })

  it('never erases a user whose session refreshed within its idle expiry', async () => {
    const { rt, post, app } = await shortLived()
    const t0 = Date.now()
    at(t0)
    const created = await app.request('https://auth.example.com/v1/sessions/anonymous', {
      method: 'POST',
      headers: TOKEN_TRANSPORT,
    })
    const anon = await created.json<SignInBody>()
    at(t0 + 53_000)
    const refreshed = await post('/v1/auth/refresh', { refreshToken: anon.tokens.refreshToken })
    expect(refreshed.status).toBe(200)
    const { tokens } = await refreshed.json<SignInBody>()
    at(t0 + 75_000)
    await runSweep(rt, { trigger: 'admin' })
    const again = await post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })
    expect(again.status).toBe(200)
    const user = await env.DB.prepare('select id from users where id = ?')
      .bind(anon.user.id)
      .first()
    expect(user).not.toBeNull()
  })

  it('keeps the index row of a live account session, so logout-all still reaches it', async () => {
    const { rt, post, app } = await shortLived()
    const t0 = Date.now()
    at(t0)
    const send = (path: string, init: RequestInit) =>
      app.request(`https://auth.example.com${path}`, init)
    const account = await (
      await createAccount(uniqueEmail(), 'long password 1', undefined, send)
    ).json<SignInBody>()
    at(t0 + 53_000)
    const refreshed = await post('/v1/auth/refresh', { refreshToken: account.tokens.refreshToken })
    const { tokens } = await refreshed.json<SignInBody>()
    at(t0 + 75_000)
    await runSweep(rt, { trigger: 'admin' })
    const out = await post('/v1/auth/logout-all', {}, bearer(tokens.accessToken))
    expect(out.status).toBe(204)
    const after = await post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })
    await expectError(after, 401)
  })
})

// Last in the file: the switch stays pulled for the tests after it.
describe('6. kill switch edges', () => {
  const sleepUntil = (at: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 20))

  it('refuses what was issued before its instant and accepts everything issued after it', async () => {
    const email = uniqueEmail()
    const register = await createAccount(email, 'long password 1')
    const old = await register.json<SignInBody>()
    const pulled = await api('/v1/admin/kill-switch', {
      method: 'POST',
      headers: jsonHeaders(bearer(String(env.ADMIN_TOKEN))),
    })
    const revokedBefore = Date.parse((await pulled.json<{ revokedBefore: string }>()).revokedBefore)
    await sleepUntil(revokedBefore)
    const after = await Promise.all(Array.from({ length: 15 }, () => createStoredSession()))
    const answers = await Promise.all(
      after.map((s) => api('/v1/sessions', { headers: bearer(s.accessToken) })),
    )
    expect(answers.map((r) => r.status)).toEqual(Array(15).fill(200))
    await expectError(
      await api('/v1/sessions', { headers: bearer(old.tokens.accessToken) }),
      401,
      'invalid_token',
    )
    // The killed session is neither listed nor counted, though nothing touched its row.
    const again = await (
      await postAuth('/v1/auth/login', { email, password: 'long password 1' })
    ).json<SignInBody>()
    const listed = await (
      await api('/v1/sessions', { headers: bearer(again.tokens.accessToken) })
    ).json<{ sessions: Array<{ id: string }> }>()
    expect(listed.sessions.map((s) => s.id)).toEqual([again.session.id])
    const metrics = await (
      await api('/v1/admin/metrics', { headers: bearer(String(env.ADMIN_TOKEN)) })
    ).json<{ liveSessions: number }>()
    expect(metrics.liveSessions).toBe(16)
  })
})
