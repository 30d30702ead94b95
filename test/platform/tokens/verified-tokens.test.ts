/**
 * The isolate's memory of verified signatures (src/platform/tokens/access-token.ts): a remembered
 * token is answered without a second ES256 verification, and nothing but the signature is
 * remembered (expiry still counts, another key set verifies afresh).
 */
import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { signAccessToken, verifyAccessToken } from '../../../src/platform/tokens/access-token'
import { SIGNING_ALG, type KeySet } from '../../../src/platform/tokens/key-set'

const audience = { issuer: 'https://auth.example.com', audience: 'https://app.example.com' }

async function keySet(kid: string): Promise<KeySet> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' }
  return { publicKeys: [{ kid, jwk, createdAt: 0 }], signer: { kid, privateKey } }
}

function token(keys: KeySet, now: number) {
  return signAccessToken(keys, audience, {
    ...{ userId: 'anon_a', sessionId: 'sess_a', isAnonymous: true, role: 'user', email: null },
    now,
    ttlSeconds: 300,
  })
}

/** Counts the signature checks WebCrypto is asked for while `run` runs. */
async function verifications<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
  const original = crypto.subtle.verify
  let count = 0
  crypto.subtle.verify = function (
    this: SubtleCrypto,
    ...args: Parameters<SubtleCrypto['verify']>
  ) {
    count++
    return original.apply(this, args)
  } as SubtleCrypto['verify']
  try {
    return { result: await run(), count }
  } finally {
    crypto.subtle.verify = original
  }
}

describe('verified access tokens, remembered per key set', () => {
  it('checks a signature once, and the clock every time', async () => {
    const keys = await keySet('k1')
    const now = Date.now()
    const jwt = await token(keys, now)
    const first = await verifications(() => verifyAccessToken(keys, audience, jwt, now))
    expect(first.result.ok).toBe(true)
    expect(first.count).toBe(1)
    const again = await verifications(() => verifyAccessToken(keys, audience, jwt, now + 1_000))
    expect(again.result).toEqual(first.result)
    expect(again.count).toBe(0)
    // Five minutes on, the remembered token has expired as the verified one would have.
    const later = await verifyAccessToken(keys, audience, jwt, now + 300_000)
    expect(later).toEqual({ ok: false, reason: 'expired' })
  })

  it('remembers nothing that failed, and nothing across key sets', async () => {
    const keys = await keySet('k1')
    const now = Date.now()
    const jwt = await token(keys, now)
    const tampered = `${jwt.slice(0, -4)}AAAA`
    for (let i = 0; i < 2; i++) {
      const { result, count } = await verifications(() =>
        verifyAccessToken(keys, audience, tampered, now),
      )
      expect(result).toEqual({ ok: false, reason: 'invalid' })
      expect(count).toBe(1)
    }
    await verifyAccessToken(keys, audience, jwt, now)
    // The isolate's next key set (reloaded every 30 s) without this key: the token is refused.
    const rotated = await keySet('k2')
    expect(await verifyAccessToken(rotated, audience, jwt, now)).toEqual({
      ok: false,
      reason: 'invalid',
    })
    // Another audience's settings verify afresh, and refuse.
    const other = { ...audience, audience: 'https://other.example.com' }
    expect((await verifyAccessToken(keys, other, jwt, now)).ok).toBe(false)
  })
})
