/**
 * A session's next secret sealed under a key derived from the secret presented for it: only the
 * holder of that secret can recover the next one (the grace window, a repeated sign-in), and the
 * object's storage never holds a usable secret.
 */
import { deriveSealingKey, seal, unseal } from '../../platform/crypto/sealing'
import { fromBase64Url, sha256Base64Url } from '../../platform/encoding'
import type { Successor } from '../rotation'

const SEAL_INFO = 'edge-session refresh seal v1'

/** `next` as a rotation stores it: its hash, and itself sealed for the holder of `presented`. */
export async function successorFor(presented: string, next: string): Promise<Successor> {
  const [hash, sealed] = await Promise.all([
    sha256Base64Url(next),
    sealingKeyFor(presented).then((key) => seal(key, next)),
  ])
  return { hash, sealed }
}

/** The secret `sealed` holds, opened with the secret it was sealed for. */
export async function unsealFor(presented: string, sealed: string): Promise<string> {
  return unseal(await sealingKeyFor(presented), sealed)
}

function sealingKeyFor(secret: string): Promise<CryptoKey> {
  const material = fromBase64Url(secret)
  if (!material) throw new Error('refresh secret is not base64url')
  return deriveSealingKey(material, SEAL_INFO)
}
