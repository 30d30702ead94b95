import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/platform/errors'
import { createKeyring, masterSealingKeys } from '../../../src/platform/crypto/keyring'
import {
  openValue,
  seal,
  secretSlot,
  sealedKeyId,
  sealValue,
  signingKeySlot,
} from '../../../src/platform/crypto/sealing'

const KEY_SLOT = signingKeySlot('key_test')
import { createUserKeys } from '../../../src/platform/crypto/user-keys'

const [K1, K2, K3] = ['1', '2', '3'].map((c) => btoa(c.repeat(32))) as [string, string, string]

describe('the master keyring', () => {
  it('names each key by a short id that is stable and reveals nothing of the key', async () => {
    const [one, again, two] = await Promise.all([
      createKeyring(K1, []),
      createKeyring(K1, []),
      createKeyring(K2, []),
    ])
    expect(one.current.id).toMatch(/^[A-Za-z0-9_-]{11}$/)
    expect(again.current.id).toBe(one.current.id)
    expect(two.current.id).not.toBe(one.current.id)
    expect(K1).not.toContain(one.current.id)
  })

  it('seals under the current key and opens with the key a value names', async () => {
    const before = masterSealingKeys(await createKeyring(K1, []))
    const sealed = await sealValue(before, 'private jwk', KEY_SLOT)
    const rotating = await createKeyring(K2, [K1])
    expect(sealedKeyId(sealed)).toBe(rotating.previous[0]!.id)
    expect(await openValue(masterSealingKeys(rotating), sealed, KEY_SLOT)).toBe('private jwk')
    const resealed = await sealValue(masterSealingKeys(rotating), 'private jwk', KEY_SLOT)
    expect(sealedKeyId(resealed)).toBe(rotating.current.id)
  })

  it('opens per-user values sealed under a key derived from a previous master key', async () => {
    const before = createUserKeys(await createKeyring(K1, []))
    const sealed = await sealValue(before('anon_a'), 'secret', secretSlot('anon_a', 'n'))
    const after = createUserKeys(await createKeyring(K2, [K1]))
    expect(await openValue(after('anon_a'), sealed, secretSlot('anon_a', 'n'))).toBe('secret')
    await expect(openValue(after('anon_b'), sealed, secretSlot('anon_b', 'n'))).rejects.toThrow()
  })

  it('answers 503 misconfigured, naming the key id, for a value under a key not configured', async () => {
    const sealed = await sealValue(masterSealingKeys(await createKeyring(K1, [])), 'x', KEY_SLOT)
    const error = await openValue(
      masterSealingKeys(await createKeyring(K3, [K2])),
      sealed,
      KEY_SLOT,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({ status: 503, code: 'misconfigured' })
    expect((error as Error).message).toContain(sealedKeyId(sealed)!)
  })

  it('attributes a value from before key ids to the oldest configured key', async () => {
    const legacy = await seal((await createKeyring(K1, [])).current.aes, 'old')
    expect(sealedKeyId(legacy)).toBeNull()
    const keyring = await createKeyring(K3, [K2, K1])
    expect(keyring.legacyId).toBe(keyring.previous[1]!.id)
    expect(await openValue(masterSealingKeys(keyring), legacy, KEY_SLOT)).toBe('old')
    // Not a guess: with K1 not last, the value is not tried against every key.
    await expect(
      openValue(masterSealingKeys(await createKeyring(K3, [K1, K2])), legacy, KEY_SLOT),
    ).rejects.toThrow()
  })

  it('drops a previous key that repeats the current one or another', async () => {
    const keyring = await createKeyring(K2, [K2, K1, K1])
    expect(keyring.previous.map((key) => key.id)).toEqual([
      (await createKeyring(K1, [])).current.id,
    ])
  })
})
