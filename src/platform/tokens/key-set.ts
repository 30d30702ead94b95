/**
 * The shape of a signing key set and its one algorithm: all that verifying a token needs to know
 * about keys, apart from where they are kept (signing-keys.ts, D1), so the library for other
 * Workers can verify without bundling any storage.
 */
import type { JWK } from 'jose'

export const SIGNING_ALG = 'ES256'

export interface PublicSigningKey {
  kid: string
  jwk: JWK
  createdAt: number
}

export interface KeySet {
  /** Keys that verify, newest first. */
  publicKeys: PublicSigningKey[]
  signer: { kid: string; privateKey: CryptoKey }
}
