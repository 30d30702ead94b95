import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, bearer, createTokenSession, expectError, type TokenSession } from '../../helpers'

interface SecretSummary {
  name: string
  createdAt: string
  updatedAt: string
}

const secretPath = (name: string) => `/v1/me/secrets/${encodeURIComponent(name)}`

const putSecret = (s: TokenSession, name: string, body: unknown) =>
  api(secretPath(name), {
    method: 'PUT',
    headers: { ...bearer(s.accessToken), 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const getSecret = (s: TokenSession, name: string) =>
  api(secretPath(name), { headers: bearer(s.accessToken) })

const deleteSecret = (s: TokenSession, name: string) =>
  api(secretPath(name), { method: 'DELETE', headers: bearer(s.accessToken) })

async function listSecrets(s: TokenSession): Promise<SecretSummary[]> {
  const res = await api('/v1/me/secrets', { headers: bearer(s.accessToken) })
  expect(res.status).toBe(200)
  return (await res.json<{ secrets: SecretSummary[] }>()).secrets
}

async function readValue(s: TokenSession, name: string): Promise<string> {
  const res = await getSecret(s, name)
  expect(res.status).toBe(200)
  const body = await res.json<{ name: string; value: string }>()
  expect(body.name).toBe(name)
  return body.value
}

const storedCiphertext = async (userId: string, name: string) =>
  (await env.DB.prepare('select value_sealed from secrets where user_id = ? and name = ?')
    .bind(userId, name)
    .first<{ value_sealed: string }>())!.value_sealed

describe('secrets', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stores a value, lists it by name without the value, and shows it on its own read', async () => {
    const s = await createTokenSession()
    expect(await listSecrets(s)).toEqual([])
    expect((await putSecret(s, 'openai.key', { value: 'sk-test-123' })).status).toBe(204)
    const [summary, ...rest] = await listSecrets(s)
    expect(rest).toEqual([])
    expect(summary).toEqual({
      name: 'openai.key',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: summary!.createdAt,
    })
    expect(await readValue(s, 'openai.key')).toBe('sk-test-123')
  })

  it('lists secrets sorted by name', async () => {
    const s = await createTokenSession()
    for (const name of ['b', 'a.1', 'A', '_x', 'a-0'])
      expect((await putSecret(s, name, { value: name })).status).toBe(204)
    expect((await listSecrets(s)).map((x) => x.name)).toEqual(['A', '_x', 'a-0', 'a.1', 'b'])
  })

  it('replaces a value under the same name, keeping its creation time', async () => {
    const s = await createTokenSession()
    await putSecret(s, 'token', { value: 'first' })
    const [before] = await listSecrets(s)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 60_000)
    await putSecret(s, 'token', { value: 'second' })
    const [after] = await listSecrets(s)
    expect(after!.createdAt).toBe(before!.createdAt)
    expect(Date.parse(after!.updatedAt) - Date.parse(before!.updatedAt)).toBeGreaterThanOrEqual(
      60_000,
    )
    expect(await readValue(s, 'token')).toBe('second')
  })

  it('stores only ciphertext, with a fresh IV each time and a different key per user', async () => {
    const a = await createTokenSession()
    const b = await createTokenSession()
    const plaintext = 'sk-live-plaintext-that-must-not-leak'
    await putSecret(a, 'k', { value: plaintext })
    await putSecret(b, 'k', { value: plaintext })
    const first = await storedCiphertext(a.userId, 'k')
    expect(first).not.toContain(plaintext)
    expect(first).not.toContain(btoa(plaintext).slice(0, 20))
    // `<master key id>:<iv>.<ciphertext>`: the key id names the key, never holds it.
    expect(first).toMatch(/^[A-Za-z0-9_-]{11}:b\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(await storedCiphertext(b.userId, 'k')).not.toBe(first)
    await putSecret(a, 'k', { value: plaintext })
    expect(await storedCiphertext(a.userId, 'k')).not.toBe(first)
  })

  it('answers 404 not_found for a name that is not stored, and after a delete', async () => {
    const s = await createTokenSession()
    await expectError(await getSecret(s, 'nope'), 404, 'not_found')
    await expectError(await deleteSecret(s, 'nope'), 404, 'not_found')
    await putSecret(s, 'gone', { value: 'x' })
    expect((await deleteSecret(s, 'gone')).status).toBe(204)
    await expectError(await getSecret(s, 'gone'), 404, 'not_found')
    expect(await listSecrets(s)).toEqual([])
    const rows = await env.DB.prepare('select count(*) as n from secrets where user_id = ?')
      .bind(s.userId)
      .first<{ n: number }>()
    expect(rows?.n).toBe(0)
  })

  it.each(['x'.repeat(65), 'has space', 'a/b', 'ünï', 'semi;colon', "quote'"])(
    'answers 400 for the name %j on every route',
    async (name) => {
      const s = await createTokenSession()
      for (const res of [
        await putSecret(s, name, { value: 'v' }),
        await getSecret(s, name),
        await deleteSecret(s, name),
      ])
        await expectError(res, 400, 'invalid_request')
    },
  )

  it('accepts a 64-character name and a value of exactly 4096 bytes', async () => {
    const s = await createTokenSession()
    const name = 'n'.repeat(64)
    const value = 'é'.repeat(2048)
    expect((await putSecret(s, name, { value })).status).toBe(204)
    expect(await readValue(s, name)).toBe(value)
  })

  it.each([
    ['a number', { value: 42 }, 400, 'invalid_request'],
    ['no value', {}, 400, 'invalid_request'],
    ['4097 ASCII bytes', { value: 'x'.repeat(4097) }, 413, 'payload_too_large'],
    ['4098 bytes in 2049 characters', { value: 'é'.repeat(2049) }, 413, 'payload_too_large'],
  ])('answers naming body.value for %s', async (_name, body, status, code) => {
    const s = await createTokenSession()
    const res = await putSecret(s, 'k', body)
    const message = (await res.clone().json<{ error: { message: string } }>()).error.message
    await expectError(res, status, code)
    expect(message).toContain('body.value')
    expect(await listSecrets(s)).toEqual([])
  })

  it('answers 400 for a body that is not JSON', async () => {
    const s = await createTokenSession()
    await expectError(await putSecret(s, 'k', '{"value": '), 400, 'invalid_request')
  })

  it('needs a live session to read a value: after logout the still-valid access token gets 401', async () => {
    const s = await createTokenSession()
    await putSecret(s, 'k', { value: 'v' })
    expect(await readValue(s, 'k')).toBe('v')
    const logout = await api('/v1/auth/logout', { method: 'POST', headers: bearer(s.accessToken) })
    expect(logout.status).toBe(204)
    // The JWT itself still verifies (no I/O), so only the fresh check can refuse it.
    expect((await api('/v1/auth/token-info', { headers: bearer(s.accessToken) })).status).toBe(200)
    await expectError(await getSecret(s, 'k'), 401, 'session_revoked')
  })
})
