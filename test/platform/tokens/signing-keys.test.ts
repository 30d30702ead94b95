import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  createKeyStore,
  createSigningKeyRow,
  KEY_CACHE_TTL_MS,
  KEY_PUBLISH_DELAY_MS,
} from '../../../src/platform/tokens/signing-keys'
import { createDb } from '../../../src/platform/db/client'
import { insertSigningKey } from '../../../src/platform/tokens/signing-key-queries'
import { createKeyring, masterSealingKeys } from '../../../src/platform/crypto/keyring'
import { api, createTokenSession } from '../../helpers'

async function freshStore(now: () => number) {
  const db = createDb(env.DB)
  await env.DB.prepare('delete from signing_keys').run()
  const sealingKeys = masterSealingKeys(await createKeyring(env.ENCRYPTION_KEY!, []))
  return { db, sealingKeys, store: createKeyStore({ db, sealingKeys, now }) }
}

describe('signing keys', () => {
  it('creates the first key by itself and stores the private half sealed', async () => {
    const { store } = await freshStore(Date.now)
    const keys = await store.get()
    expect(keys.publicKeys).toHaveLength(1)
    const row = await env.DB.prepare(
      'select public_jwk, private_jwk_sealed from signing_keys',
    ).first<{ public_jwk: string; private_jwk_sealed: string }>()
    expect(JSON.parse(row!.public_jwk)).not.toHaveProperty('d')
    expect(row!.private_jwk_sealed).not.toContain('"d"')
  })

  it('signs with a new key only after every verifier has had time to load it', async () => {
    let now = Date.now()
    const { db, sealingKeys, store } = await freshStore(() => now)
    const first = await store.get()
    now += KEY_PUBLISH_DELAY_MS
    await insertSigningKey(db, await createSigningKeyRow(sealingKeys, now))
    store.invalidate()
    const rotated = await store.get()
    expect(rotated.publicKeys).toHaveLength(2)
    expect(rotated.signer.kid).toBe(first.signer.kid)
    // One cache period is not enough: a remote verifier may still be in jose's cooldown.
    now += KEY_CACHE_TTL_MS
    store.invalidate()
    expect((await store.get()).signer.kid).toBe(first.signer.kid)
    now += KEY_PUBLISH_DELAY_MS - KEY_CACHE_TTL_MS
    store.invalidate()
    const settled = await store.get()
    expect(settled.signer.kid).toBe(settled.publicKeys[0]!.kid)
    expect(settled.signer.kid).not.toBe(first.signer.kid)
  })

  it('caches the key set for the cache period', async () => {
    let now = Date.now()
    const { store } = await freshStore(() => now)
    const a = await store.get()
    now += KEY_CACHE_TTL_MS - 1
    expect(await store.get()).toBe(a)
    now += 1
    expect(await store.get()).not.toBe(a)
  })

  it('publishes public keys only at /.well-known/jwks.json', async () => {
    await createTokenSession()
    const res = await api('/.well-known/jwks.json')
    expect(res.status).toBe(200)
    const { keys } = await res.json<{ keys: Array<Record<string, string>> }>()
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
      expect(key.kid).toMatch(/^key_/)
      expect(key).not.toHaveProperty('d')
    }
  })
})
