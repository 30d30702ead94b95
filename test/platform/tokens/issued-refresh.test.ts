import { describe, expect, it } from 'vitest'
import {
  ISSUED_SECRET_LENGTH,
  issuedSecretKeys,
  mintIssuedSecret,
  openIssuedSecret,
  rebuildIssuedSecrets,
} from '../../../src/platform/tokens/issued-refresh'
import { createKeyring } from '../../../src/platform/crypto/keyring'
import { createId } from '../../../src/platform/ids'

const K_OLD = btoa('o'.repeat(32))
const K_NEW = btoa('n'.repeat(32))

describe('issued first secrets', () => {
  const claims = { userId: createId('anon'), issuedAt: 1_800_000_000_000 }
  const sessionId = createId('sess')

  it('carries the user id and issue time, opens for its own session id only', async () => {
    const keys = await issuedSecretKeys(await createKeyring(K_NEW, []))
    const secret = await mintIssuedSecret(keys[0]!, sessionId, claims)
    expect(secret).toHaveLength(ISSUED_SECRET_LENGTH)
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(await openIssuedSecret(keys, sessionId, secret)).toEqual(claims)
    expect(await openIssuedSecret(keys, createId('sess'), secret)).toBeNull()
  })

  it('refuses a secret under a key it does not have, and one with any byte changed', async () => {
    const keys = await issuedSecretKeys(await createKeyring(K_NEW, []))
    const stranger = await issuedSecretKeys(await createKeyring(K_OLD, []))
    const secret = await mintIssuedSecret(stranger[0]!, sessionId, claims)
    expect(await openIssuedSecret(keys, sessionId, secret)).toBeNull()
    const genuine = await mintIssuedSecret(keys[0]!, sessionId, claims)
    for (let i = 0; i < genuine.length - 1; i++) {
      const flipped = genuine.slice(0, i) + (genuine[i] === 'A' ? 'B' : 'A') + genuine.slice(i + 1)
      expect(await openIssuedSecret(keys, sessionId, flipped), `position ${i}`).toBeNull()
    }
  })

  it('still opens a secret issued before a key rotation while the old key is ENCRYPTION_KEY_PREVIOUS', async () => {
    const before = await issuedSecretKeys(await createKeyring(K_OLD, []))
    const secret = await mintIssuedSecret(before[0]!, sessionId, claims)
    const rotated = await issuedSecretKeys(await createKeyring(K_NEW, [K_OLD]))
    expect(await openIssuedSecret(rotated, sessionId, secret)).toEqual(claims)
    // The object rebuilding the secret from an access token knows every form of it.
    expect(await rebuildIssuedSecrets(rotated, sessionId, claims)).toContain(secret)
    const dropped = await issuedSecretKeys(await createKeyring(K_NEW, []))
    expect(await openIssuedSecret(dropped, sessionId, secret)).toBeNull()
  })

  it('is only for anonymous user ids', async () => {
    const keys = await issuedSecretKeys(await createKeyring(K_NEW, []))
    await expect(
      mintIssuedSecret(keys[0]!, sessionId, { ...claims, userId: createId('usr') }),
    ).rejects.toThrow()
  })
})
