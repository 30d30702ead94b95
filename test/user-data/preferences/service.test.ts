import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  applyMergePatch,
  PREFERENCES_MAX_BYTES,
  splitPreferenceKeys,
} from '../../../src/user-data/preferences/service'

// RFC 7396 Appendix A, verbatim: [original, patch, result].
const RFC_7396_EXAMPLES: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
]

describe('applyMergePatch', () => {
  it.each(RFC_7396_EXAMPLES)('patches %j with %j as RFC 7396 says', (original, patch, result) => {
    expect(applyMergePatch(original, patch)).toEqual(result)
  })

  it("agrees with SQLite's json_patch, which patches stored rows, on every RFC example", async () => {
    for (const [original, patch, result] of RFC_7396_EXAMPLES) {
      const row = await env.DB.prepare('select json_patch(?, ?) as patched')
        .bind(JSON.stringify(original), JSON.stringify(patch))
        .first<{ patched: string }>()
      expect(JSON.parse(row!.patched)).toEqual(result)
    }
  })

  it('keeps a "__proto__" key as data', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}')
    const patched = applyMergePatch({}, patch) as Record<string, unknown>
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype)
    expect(Object.keys(patched)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('splitPreferenceKeys', () => {
  it("moves keys the account lacks and leaves the account's own", () => {
    expect(splitPreferenceKeys({ a: 1, b: { c: 2 } }, { a: 0 })).toEqual({
      moving: { b: { c: 2 } },
      left: ['a'],
    })
  })

  it('fills the account exactly up to the size limit and leaves the key that would pass it', () => {
    // {"x":"…"} is 8 bytes around the string; each further "k":"…" adds a comma.
    const account = { x: 'x'.repeat(PREFERENCES_MAX_BYTES - 8 - 7) }
    const fits = { y: '' } // ,"y":"" is 7 bytes
    const { moving, left } = splitPreferenceKeys({ big: 'zz', ...fits, z: '' }, account)
    expect(moving).toEqual(fits)
    expect(left).toEqual(['big', 'z'])
    expect(new TextEncoder().encode(JSON.stringify({ ...account, ...moving })).length).toBe(
      PREFERENCES_MAX_BYTES,
    )
  })
})
