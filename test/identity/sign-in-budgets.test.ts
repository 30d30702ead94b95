/**
 * Who pays for a failed password or a link mail: an exact per-email budget that strangers share,
 * and a budget of its own for each client that signed in to the account before (its device
 * credential). Run as an attacker who knows only the owner's email would run them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { countRows, expectError, jsonHeaders, uniqueEmail, unlimitedApi } from '../helpers'
import { insertAccountWithHash, PASSWORD, unpepperedHash } from './password-accounts'

const WRONG = 'not the password at all'

afterEach(() => {
  vi.useRealTimers()
})

/** Moves the clock (the Worker and its D1 queries read `Date.now()`). */
function advance(ms: number): void {
  const now = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now + ms)
}

const statusCounts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>(
    (counts, res) => ({ ...counts, [res.status]: (counts[res.status] ?? 0) + 1 }),
    {},
  )

const failedLogins = (userId: string) =>
  countRows(
    "select count(*) as n from audit_events where type = 'auth.login_failed' and user_id = ?",
    userId,
  )

describe('4. exact back-off', () => {
  it('checks at most five of twenty simultaneous wrong passwords for one email', async () => {
    const email = uniqueEmail()
    const userId = await insertAccountWithHash(email, await unpepperedHash(PASSWORD))
    // The rate-limit bindings are off: the per-email count alone decides.
    const request = await unlimitedApi()
    const login = (password: string) =>
      request('/v1/auth/login', {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ email, password }),
      })
    const responses = await Promise.all(Array.from({ length: 20 }, () => login(WRONG)))
    expect(statusCounts(responses)).toEqual({ 401: 5, 429: 15 })
    expect(await failedLogins(userId)).toBe(5)
    // The right password waits out the back-off like any guess from an unknown client...
    await expectError(await login(PASSWORD), 429, 'rate_limited')
    // ...and works once it has passed.
    advance(1_100)
    expect((await login(PASSWORD)).status).toBe(200)
    expect(await failedLogins(userId)).toBe(5)
  })
})
