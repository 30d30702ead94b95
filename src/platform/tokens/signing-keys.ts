/**
 * The signing key set: ES256 key pairs kept in D1 with the private JWK sealed (AES-GCM) under
 * the master key (platform/crypto/keyring.ts), which each sealed value names. Each isolate caches the set briefly so verifying an access token needs no I/O.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import { SIGNING_ALG, type KeySet, type PublicSigningKey } from './key-set'
import type { Db } from '../db/client'
import { insertSigningKey, listUnretiredKeys, type SigningKeyRow } from './signing-key-queries'
import { createId } from '../ids'
import { createIsolateCache, type IsolateCache } from '../isolate-cache'
import { openValue, sealValue, signingKeySlot, type SealingKeys } from '../crypto/sealing'

export { SIGNING_ALG, type KeySet, type PublicSigningKey }
/** How long an isolate trusts its cached key set before reading D1 again. */
export const KEY_CACHE_TTL_MS = 30_000
/**
 * How long a new key is published before it signs: every isolate reloads within one cache
 * period, and a remote verifier (the library middleware, any jose `createRemoteJWKSet`) that
 * fetched the JWKS just before the key appeared may refetch only after its 30 s cooldown and
 * the JWKS' 30 s max-age; two periods cover both.
 */
export const KEY_PUBLISH_DELAY_MS = 2 * KEY_CACHE_TTL_MS

export interface KeyStoreOptions {
  db: Db
  /** The master keys: the current one seals new keys, any configured one opens what it sealed. */
  sealingKeys: SealingKeys
  now?: () => number
}

/** A per-isolate cache over the key table; `get()` reads D1 at most once every 30 s. */
export function createKeyStore({
  db,
  sealingKeys,
  now = Date.now,
}: KeyStoreOptions): IsolateCache<KeySet> {
  async function load(): Promise<KeySet> {
    let rows = await listUnretiredKeys(db)
    if (rows.length === 0) {
      // First start (local dev or a fresh deployment): make the first key rather than fail.
      await insertSigningKey(db, await createSigningKeyRow(sealingKeys, now()))
      rows = await listUnretiredKeys(db)
    }
    const signerRow = pickSigner(rows, now())
    const privateJwk = JSON.parse(
      await openValue(sealingKeys, signerRow.privateJwkSealed, signingKeySlot(signerRow.kid)),
    ) as JWK
    const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey
    return {
      publicKeys: rows.map((row) => ({
        kid: row.kid,
        jwk: JSON.parse(row.publicJwk) as JWK,
        createdAt: row.createdAt,
      })),
      signer: { kid: signerRow.kid, privateKey },
    }
  }
  return createIsolateCache(load, KEY_CACHE_TTL_MS, now)
}

export type KeyStore = IsolateCache<KeySet>

/**
 * The newest key that every verifier has had time to see signs; a key younger than the publish
 * delay only verifies, so no verifier meets a token whose kid it has not loaded yet. With no such
 * key (the very first one), the newest signs.
 */
export function pickSigner(rows: SigningKeyRow[], now: number): SigningKeyRow {
  const settled = rows.find((row) => now - row.createdAt >= KEY_PUBLISH_DELAY_MS)
  const newest = rows[0]
  if (!newest) throw new Error('no signing key')
  return settled ?? newest
}

/** A new ES256 key pair as a `signing_keys` row, the private half sealed. */
export async function createSigningKeyRow(
  sealingKeys: SealingKeys,
  now: number,
): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true })
  const kid = createId('key')
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' }
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG }
  return {
    kid,
    publicJwk: JSON.stringify(publicJwk),
    privateJwkSealed: await sealValue(sealingKeys, JSON.stringify(privateJwk), signingKeySlot(kid)),
    createdAt: now,
    retiredAt: null,
  }
}
