import { describe, expect, it } from 'vitest'
import { api, bearer, createTokenSession, expectError, type TokenSession } from '../../helpers'

type Prefs = Record<string, unknown>

const patchPrefs = (s: TokenSession, body: unknown) =>
  api('/v1/me/preferences', {
    method: 'PATCH',
    headers: { ...bearer(s.accessToken), 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

async function readPrefs(s: TokenSession): Promise<Prefs> {
  const res = await api('/v1/me/preferences', { headers: bearer(s.accessToken) })
  expect(res.status).toBe(200)
  return (await res.json<{ preferences: Prefs }>()).preferences
}

async function patchOk(s: TokenSession, body: unknown): Promise<Prefs> {
  const res = await patchPrefs(s, body)
  expect(res.status).toBe(200)
  return (await res.json<{ preferences: Prefs }>()).preferences
}

describe('preferences', () => {
  it('answers {} for a user who never set any, and 401 without a session', async () => {
    expect(await readPrefs(await createTokenSession())).toEqual({})
    await expectError(await api('/v1/me/preferences'), 401, 'unauthenticated')
  })

  it('applies a merge patch: null deletes, objects merge recursively, anything else replaces', async () => {
    const s = await createTokenSession()
    await patchOk(s, {
      theme: 'dark',
      editor: { font: 'mono', size: 12, keys: { save: 'mod+s' } },
      list: [1, 2],
      beta: true,
    })
    const patched = await patchOk(s, {
      theme: null,
      editor: { size: 14, keys: { save: null, open: 'mod+o' } },
      list: [3],
      beta: { since: 2 },
      absent: null,
    })
    const expected = {
      editor: { font: 'mono', size: 14, keys: { open: 'mod+o' } },
      list: [3],
      beta: { since: 2 },
    }
    expect(patched).toEqual(expected)
    expect(await readPrefs(s)).toEqual(expected)
  })

  it('keeps unknown keys exactly as sent, on the first patch and on later ones', async () => {
    const s = await createTokenSession()
    const future = { flags: { a: [1, { nested: null }, 'x'] }, count: 3.5, on: false, s: 'ü' }
    expect(await patchOk(s, future)).toEqual(future)
    expect(await patchOk(s, { locale: 'pt-BR', other: { z: 1 } })).toEqual({
      ...future,
      locale: 'pt-BR',
      other: { z: 1 },
    })
  })

  it('accepts valid known keys', async () => {
    const s = await createTokenSession()
    const known = {
      theme: 'system',
      locale: 'zh-Hant-TW',
      timezone: 'America/Argentina/Buenos_Aires',
    }
    expect(await patchOk(s, known)).toEqual(known)
  })

  it.each([
    ['theme', 'neon'],
    ['theme', 1],
    ['locale', 'x'.repeat(36)],
    ['locale', 'not a locale'],
    ['locale', ['en']],
    ['timezone', 5],
    ['timezone', '../etc/passwd'],
  ])('rejects %s = %j with 400 naming the field and stores nothing', async (key, value) => {
    const s = await createTokenSession()
    await patchOk(s, { theme: 'dark' })
    const res = await patchPrefs(s, { [key]: value, unrelated: 1 })
    const body = await res.clone().json<{ error: { message: string } }>()
    await expectError(res, 400, 'invalid_request')
    expect(body.error.message).toContain(`body.${key}`)
    expect(await readPrefs(s)).toEqual({ theme: 'dark' })
  })

  it.each([
    ['an array', '[1, 2]'],
    ['a string', '"dark"'],
    ['null', 'null'],
    ['a number', '42'],
    ['malformed JSON', '{"theme": '],
    // SQLite's json_patch would treat "\u0000a" and "\u0000b" as one key.
    ['an object with U+0000 in a nested key', '{"ok": {"a\\u0000b": 1}}'],
  ])('answers 400 for a body that is %s', async (_name, body) => {
    const s = await createTokenSession()
    await expectError(await patchPrefs(s, body), 400, 'invalid_request')
  })

  it('answers 400 for nesting deeper than 32 levels, and accepts 32', async () => {
    const s = await createTokenSession()
    const nest = (levels: number): unknown => (levels === 1 ? { leaf: 1 } : { n: nest(levels - 1) })
    await expectError(await patchPrefs(s, nest(33)), 400, 'invalid_request')
    expect((await patchPrefs(s, nest(32))).status).toBe(200)
  })

  it('accepts a stored object of exactly 16 KiB and refuses one byte more with 413', async () => {
    const s = await createTokenSession()
    await patchOk(s, { a: 'start' })
    // {"a":"…"} is 8 bytes around the string; "é" is 2 bytes in UTF-8.
    expect(await patchOk(s, { a: 'é'.repeat((16384 - 8) / 2) })).toEqual({
      a: 'é'.repeat(8188),
    })
    await expectError(await patchPrefs(s, { a: 'x'.repeat(16384 - 7) }), 413, 'payload_too_large')
    expect(await readPrefs(s)).toEqual({ a: 'é'.repeat(8188) })
  })

  it('refuses a patch that pushes the stored object past 16 KiB, keeping what was stored', async () => {
    const s = await createTokenSession()
    await patchOk(s, { a: 'x'.repeat(10_000) })
    await expectError(await patchPrefs(s, { b: 'y'.repeat(10_000) }), 413, 'payload_too_large')
    expect(Object.keys(await readPrefs(s))).toEqual(['a'])
    // Deleting makes room again.
    expect(Object.keys(await patchOk(s, { a: null, b: 'y'.repeat(10_000) }))).toEqual(['b'])
  })

  it('refuses a first patch over 16 KiB with 413', async () => {
    const s = await createTokenSession()
    await expectError(await patchPrefs(s, { big: 'x'.repeat(17_000) }), 413, 'payload_too_large')
    expect(await readPrefs(s)).toEqual({})
  })

  it('loses nothing when 20 patches of different keys race, from no row and from an existing one', async () => {
    for (const start of [null, { existing: true }]) {
      const s = await createTokenSession()
      if (start) await patchOk(s, start)
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => patchPrefs(s, { [`k${i}`]: { i } })),
      )
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
      const stored = await readPrefs(s)
      const expected: Prefs = { ...start }
      for (let i = 0; i < 20; i++) expected[`k${i}`] = { i }
      expect(stored).toEqual(expected)
    }
  })
})
