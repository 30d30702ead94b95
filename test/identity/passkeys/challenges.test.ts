import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createTokenSession, expectError, sessionObject } from '../../helpers'
import { SoftwareAuthenticator } from './authenticator'
import { askOptions, verify } from './flows'

const FIVE_MINUTES_MS = 5 * 60 * 1000

describe('passkey challenges', () => {
  it('keeps one in the session object, and no longer than five minutes', async () => {
    const anon = await createTokenSession()
    const { options } = await askOptions('sign-up', anon)
    const object = sessionObject(anon.sessionId)
    const later = Date.now() + FIVE_MINUTES_MS + 1
    expect(await runInDurableObject(object, (o) => o.takeChallenge('passkey.sign-up', later))).toBe(
      null,
    )
    const response = await (await SoftwareAuthenticator.create()).register(options)
    await expectError(await verify('sign-up', anon, response), 400, 'invalid_or_expired_challenge')
  })

  it('clears the unused challenge of a session the options started, when its alarm fires', async () => {
    // Asked with no session: the options start one that is only issued, so nothing else is stored.
    const { tokens } = await askOptions('sign-in')
    const object = sessionObject(tokens!.refreshToken.split('.')[0]!)
    await runInDurableObject(object, (_o, state) => {
      expect([...state.storage.kv.list()].map(([key]) => key)).toEqual([
        'challenge:passkey.sign-in',
      ])
    })
    expect(await runDurableObjectAlarm(object)).toBe(true)
    await runInDurableObject(object, (_o, state) => {
      expect([...state.storage.kv.list()]).toEqual([])
    })
  })
  it('keeps a longer challenge when a shorter one follows it in a session not yet stored', async () => {
    const { tokens } = await askOptions('sign-in')
    const object = sessionObject(tokens!.refreshToken.split('.')[0]!)
    const now = Date.now()
    const challenge = (purpose: string, ttlMs: number) => ({
      purpose,
      challenge: purpose,
      userId: 'anon_x',
      expiresAt: now + ttlMs,
    })
    await runInDurableObject(object, async (o) => {
      await o.putChallenge(challenge('long', 10 * 60 * 1000))
      await o.putChallenge(challenge('short', 60 * 1000))
    })
    await runInDurableObject(object, async (_o, state) => {
      expect(await state.storage.getAlarm()).toBe(now + 10 * 60 * 1000)
    })
  })
  it('drops expired challenges when it keeps a new one, so flows with keys of their own do not pile up', async () => {
    const { tokens } = await askOptions('sign-in')
    const object = sessionObject(tokens!.refreshToken.split('.')[0]!)
    const now = Date.now()
    const challenge = (purpose: string, expiresAt: number) => ({
      purpose,
      challenge: purpose,
      userId: 'anon_x',
      expiresAt,
    })
    await runInDurableObject(object, async (o) => {
      await o.putChallenge(challenge('provider-flow:old', now - 1))
      await o.putChallenge(challenge('provider-flow:live', now + 60_000))
    })
    await runInDurableObject(object, (_o, state) => {
      const keys = [...state.storage.kv.list({ prefix: 'challenge:' })].map(([key]) => key)
      expect(keys.sort()).toEqual(['challenge:passkey.sign-in', 'challenge:provider-flow:live'])
    })
  })
})
