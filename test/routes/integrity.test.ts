/**
 * Issue #13's findings closed so far: each attack as a test that succeeded before the fix.
 * (Finding 1's guessed secret is in sessions.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { addressKey, createLimiters } from '../../src/services/rate-limits'
import { CookieJar, expectError, runtime, TOKEN_TRANSPORT } from '../helpers'
import { env } from 'cloudflare:workers'

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
      { ...env, ANONYMOUS_PER_IP_LIMIT: binding, AUTH_PER_IP_LIMIT: binding },
      rt.settings,
      rt.db,
    )
    await limits.anonymousPerIp('2001:db8:5:6::1')
    await limits.anonymousPerIp('2001:db8:5:6:ffff::2')
    await limits.authPerIp('2001:db8:5:6::3')
    expect(new Set(keys)).toEqual(new Set(['2001:db8:5:6::/64']))
  })
})
