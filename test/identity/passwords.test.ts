/**
 * Password hashes as an attacker holding a copy of D1 sees them: peppered with a Worker secret
 * that D1 never holds, and upgraded from older forms at the owner's next sign-in.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { login } from '../../src/identity/credentials/password-sign-in'
import {
  hashPassword,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from '../../src/identity/credentials/passwords'
import { fromBase64Url, toBase64Url } from '../../src/platform/encoding'
import { createRuntime } from '../../src/platform/runtime'
import { BASE, expectError, jsonHeaders, post, runtime, uniqueEmail } from '../helpers'
import {
  insertAccountWithHash,
  matchesWithPepper,
  PASSWORD,
  pbkdf2,
  storedPasswordHash,
  unpepperedHash,
} from './password-accounts'

const PEPPER = env.PASSWORD_PEPPER as string
const NEXT_PEPPER = btoa('n'.repeat(32))
const PEPPERED =
  /^pbkdf2-sha256-hmac\$([A-Za-z0-9_-]{11})\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/

afterEach(() => {
  vi.restoreAllMocks()
})

const loginAs = (email: string, password: string) => post('/v1/auth/login', { email, password })

/** A deployment configured with `vars` over the test settings, answering like `api`. */
async function deployment(vars: Record<string, string>) {
  const app = await createApp(await createRuntime({ ...env, ...vars }))
  return (email: string, password: string) =>
    app.request(
      `${BASE}/v1/auth/login`,
      { method: 'POST', headers: jsonHeaders(), body: JSON.stringify({ email, password }) },
      env,
    )
}

describe('7. peppered, upgradable password hashes', () => {
  it('stores a hash that verifies only with the pepper: a copy of D1 alone allows no offline guess', async () => {
    const rt = await runtime()
    const stored = await hashPassword(rt.peppers, PASSWORD)
    expect(stored).toMatch(PEPPERED)
    expect(PEPPERED.exec(stored)![1]).toBe(rt.peppers.current.id)
    // The attacker's right guess, run through everything D1 names (salt, iterations), misses.
    const [, , iterations, salt, hash] = stored.split('$')
    const guess = await pbkdf2(PASSWORD, fromBase64Url(salt!)!, Number(iterations))
    expect(toBase64Url(guess)).not.toBe(hash)
    // With the pepper it is the password's hash.
    expect(await matchesWithPepper(stored, PASSWORD, PEPPER)).toBe(true)
    expect(await verifyPassword(rt.peppers, PASSWORD, stored)).toEqual({
      match: true,
      outdated: false,
    })
    expect(await verifyPassword(rt.peppers, 'correct horse batterY', stored)).toEqual({
      match: false,
    })
  })

  it('answers 503 misconfigured, not a wrong password, when the pepper a hash names is gone', async () => {
    const rt = await runtime()
    const email = uniqueEmail()
    await insertAccountWithHash(email, await hashPassword(rt.peppers, PASSWORD))
    const elsewhere = await deployment({ PASSWORD_PEPPER: NEXT_PEPPER })
    const res = await elsewhere(email, PASSWORD)
    await expectError(res, 503, 'misconfigured')
  })

  it('verifies unpeppered hashes, older parameters too, and rewrites them peppered at sign-in', async () => {
    const rt = await runtime()
    for (const iterations of [PBKDF2_ITERATIONS, 10_000]) {
      const email = uniqueEmail()
      const old = await unpepperedHash(PASSWORD, iterations)
      const userId = await insertAccountWithHash(email, old)
      // A wrong password changes nothing.
      await expectError(await loginAs(email, 'not the password'), 401, 'invalid_credentials')
      expect(await storedPasswordHash(userId)).toBe(old)
      expect((await loginAs(email, PASSWORD)).status).toBe(200)
      const upgraded = await storedPasswordHash(userId)
      expect(upgraded).toMatch(PEPPERED)
      expect(PEPPERED.exec(upgraded)![1]).toBe(rt.peppers.current.id)
      expect(await matchesWithPepper(upgraded, PASSWORD, PEPPER)).toBe(true)
      // Current hashes stay as they are.
      expect((await loginAs(email, PASSWORD)).status).toBe(200)
      expect(await storedPasswordHash(userId)).toBe(upgraded)
    }
  })

  it('rotates through PASSWORD_PEPPER_PREVIOUS: an old hash verifies and moves to the new pepper', async () => {
    const email = uniqueEmail()
    const before = await hashPassword((await runtime()).peppers, PASSWORD)
    const userId = await insertAccountWithHash(email, before)
    const rotated = await deployment({
      PASSWORD_PEPPER: NEXT_PEPPER,
      PASSWORD_PEPPER_PREVIOUS: PEPPER,
    })
    expect((await rotated(email, PASSWORD)).status).toBe(200)
    const after = await storedPasswordHash(userId)
    expect(PEPPERED.exec(after)![1]).not.toBe(PEPPERED.exec(before)![1])
    expect(await matchesWithPepper(after, PASSWORD, NEXT_PEPPER)).toBe(true)
    // Once moved, the previous pepper can go.
    const retired = await deployment({ PASSWORD_PEPPER: NEXT_PEPPER })
    expect((await retired(email, PASSWORD)).status).toBe(200)
  })

  it('costs an unknown email the same work as a known one: one derivation, one pepper HMAC', async () => {
    const rt = await runtime()
    const email = uniqueEmail()
    await insertAccountWithHash(email, await hashPassword(rt.peppers, PASSWORD))
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits')
    const sign = vi.spyOn(crypto.subtle, 'sign')
    const work = async (address: string) => {
      deriveBits.mockClear()
      sign.mockClear()
      const meta = { ip: null, userAgent: null, country: null }
      await expect(
        login(rt, { email: address, password: 'a wrong guess' }, null, meta),
      ).rejects.toThrow()
      const name = (algorithm: unknown) => (algorithm as { name?: string }).name ?? algorithm
      return {
        derivations: deriveBits.mock.calls.map(([algorithm]) => name(algorithm)),
        macs: sign.mock.calls.map(([algorithm]) => name(algorithm)),
      }
    }
    const known = await work(email)
    expect(known).toEqual({ derivations: ['PBKDF2'], macs: ['HMAC'] })
    expect(await work(uniqueEmail())).toEqual(known)
  })
})
