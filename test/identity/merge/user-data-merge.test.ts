import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  createAccount,
  createTokenSession,
  TOKEN_TRANSPORT,
  type TokenSession,
  uniqueEmail,
  type SignInBody,
} from '../../helpers'

const PASSWORD = 'correct horse battery'

const send = (token: string, method: string, path: string, body?: unknown) =>
  api(path, {
    method,
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

/** Stores preferences, secrets and documents as the holder of `token`; returns the document ids. */
async function seed(
  token: string,
  data: { preferences: object; secrets: Record<string, string>; documents: string[] },
): Promise<string[]> {
  expect((await send(token, 'PATCH', '/v1/me/preferences', data.preferences)).status).toBe(200)
  for (const [name, value] of Object.entries(data.secrets))
    expect((await send(token, 'PUT', `/v1/me/secrets/${name}`, { value })).status).toBe(204)
  const ids: string[] = []
  for (const title of data.documents) {
    const res = await send(token, 'POST', '/v1/documents', { title, content: `${title} body` })
    expect(res.status).toBe(201)
    ids.push((await res.json<{ document: { id: string } }>()).document.id)
  }
  return ids
}

async function signIn(path: 'register' | 'login', email: string, from?: TokenSession) {
  if (path === 'register') {
    const confirmed = await createAccount(email, PASSWORD, from)
    expect(confirmed.status).toBe(200)
    return confirmed.json<SignInBody>()
  }
  const res = await api(`/v1/auth/${path}`, {
    method: 'POST',
    headers: {
      ...TOKEN_TRANSPORT,
      'Content-Type': 'application/json',
      ...(from ? bearer(from.accessToken) : {}),
    },
    body: JSON.stringify({
      email,
      password: PASSWORD,
      ...(from ? { refreshToken: from.refreshToken } : {}),
    }),
  })
  expect(res.status).toBe(200)
  return res.json<SignInBody>()
}

async function holdings(token: string) {
  const get = async <T>(path: string) => {
    const res = await send(token, 'GET', path)
    expect(res.status).toBe(200)
    return res.json<T>()
  }
  const { preferences } = await get<{ preferences: object }>('/v1/me/preferences')
  const { secrets } = await get<{ secrets: Array<{ name: string }> }>('/v1/me/secrets')
  const values: Record<string, string> = {}
  for (const { name } of secrets)
    values[name] = (await get<{ value: string }>(`/v1/me/secrets/${name}`)).value
  const { documents } = await get<{ documents: Array<{ id: string; title: string }> }>(
    '/v1/documents?limit=100',
  )
  return { preferences, secrets: values, documents: documents.map((d) => d.id).sort() }
}

const rowsLeft = async (userId: string) => {
  const counts = await Promise.all(
    ['preferences', 'secrets', 'documents'].map((table) =>
      env.DB.prepare(`select count(*) as n from ${table} where user_id = ?`)
        .bind(userId)
        .first<{ n: number }>(),
    ),
  )
  return counts.map((row) => row?.n)
}

describe('merging preferences, secrets and documents into an account', () => {
  it('moves everything of an anonymous user who signs up, once, with secrets re-sealed', async () => {
    const anon = await createTokenSession()
    const preferences = { theme: 'dark', editor: { size: 12 }, future: [1, 'two'] }
    const secrets = { 'openai.key': 'sk-anon-1', github_token: 'ghp-anon-2' }
    const docIds = await seed(anon.accessToken, {
      preferences,
      secrets,
      documents: ['a', 'b', 'c'],
    })

    const body = await signIn('register', uniqueEmail(), anon)
    expect(body.merge).toEqual({
      from: anon.userId,
      into: body.user.id,
      moved: { documents: 3, preferences: 3, secrets: 2, oauth: 0 },
      conflicts: [],
    })
    expect(await holdings(body.tokens.accessToken)).toEqual({
      preferences,
      secrets,
      documents: [...docIds].sort(),
    })
    expect(await rowsLeft(anon.userId)).toEqual([0, 0, 0])
    expect(await rowsLeft(body.user.id)).toEqual([1, 2, 3])
  })

  it("keeps the account's values on conflict, reports the conflicts and moves the rest", async () => {
    const email = uniqueEmail()
    const account = await signIn('register', email)
    const accountDocs = await seed(account.tokens.accessToken, {
      preferences: { theme: 'light', locale: 'en' },
      secrets: { shared: 'account-value' },
      documents: ['mine'],
    })
    const anon = await createTokenSession()
    const anonDocs = await seed(anon.accessToken, {
      preferences: { theme: 'dark', font: 'mono', locale: 'fr' },
      secrets: { shared: 'anon-value', 'anon-only': 'anon-secret' },
      documents: ['x', 'y'],
    })

    const body = await signIn('login', email, anon)
    expect(body.user.id).toBe(account.user.id)
    expect(body.merge!.moved).toEqual({ documents: 2, preferences: 1, secrets: 1, oauth: 0 })
    expect(body.merge!.conflicts).toHaveLength(3)
    expect(body.merge!.conflicts).toEqual(
      expect.arrayContaining([
        { kind: 'preferences', key: 'theme' },
        { kind: 'preferences', key: 'locale' },
        { kind: 'secrets', key: 'shared' },
      ]),
    )
    expect(await holdings(body.tokens.accessToken)).toEqual({
      preferences: { theme: 'light', locale: 'en', font: 'mono' },
      secrets: { shared: 'account-value', 'anon-only': 'anon-secret' },
      documents: [...accountDocs, ...anonDocs].sort(),
    })
    expect(await rowsLeft(anon.userId)).toEqual([0, 0, 0])
  })

  it('leaves behind preference keys that would push the account past 16 KiB', async () => {
    const email = uniqueEmail()
    const account = await signIn('register', email)
    await seed(account.tokens.accessToken, {
      preferences: { mine: 'a'.repeat(9000) },
      secrets: {},
      documents: [],
    })
    const anon = await createTokenSession()
    await seed(anon.accessToken, {
      preferences: { big: 'b'.repeat(9000), small: 's' },
      secrets: {},
      documents: [],
    })
    const body = await signIn('login', email, anon)
    expect(body.merge!.moved.preferences).toBe(1)
    expect(body.merge!.conflicts).toEqual([{ kind: 'preferences', key: 'big' }])
    const { preferences } = await holdings(body.tokens.accessToken)
    expect(Object.keys(preferences).sort()).toEqual(['mine', 'small'])
  })

  it('drops a secret that no longer opens instead of failing the sign-up', async () => {
    const anon = await createTokenSession()
    await seed(anon.accessToken, {
      preferences: {},
      secrets: { good: 'fine', broken: 'lost' },
      documents: [],
    })
    // Altered: well-formed and naming a configured key, but it does not open.
    const stored = (await env.DB.prepare(
      'select value_sealed from secrets where user_id = ? and name = ?',
    )
      .bind(anon.userId, 'good')
      .first<{ value_sealed: string }>())!.value_sealed
    const [iv, data] = stored.split('.')
    const flipped = `${iv}.${data!.startsWith('A') ? 'B' : 'A'}${data!.slice(1)}`
    await env.DB.prepare('update secrets set value_sealed = ? where user_id = ? and name = ?')
      .bind(flipped, anon.userId, 'broken')
      .run()

    const body = await signIn('register', uniqueEmail(), anon)
    expect(body.merge!.moved.secrets).toBe(1)
    expect((await holdings(body.tokens.accessToken)).secrets).toEqual({ good: 'fine' })
    expect(await rowsLeft(anon.userId)).toEqual([0, 0, 0])
  })
})
