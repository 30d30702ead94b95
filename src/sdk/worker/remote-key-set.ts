/**
 * The service's public keys as another Worker sees them: jose's remote JWKS, fetched on first use,
 * cached per isolate (10 minutes) and fetched again for an unknown `kid` at most every 30 s
 * (jose's cooldown), so a key rotation is picked up without letting junk tokens hammer the service.
 */
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose'
import { KeySetUnavailableError } from '../../platform/tokens/access-token'

/** How the JWKS is fetched; e.g. through a service binding: `(url, init) => env.AUTH.fetch(url, init)`. */
export type JwksFetch = (url: string, init: RequestInit) => Promise<Response>

/**
 * A key resolver for `jwtVerify` over the JWKS at `url`. A kid or alg the set does not have is the
 * token's fault (invalid); failing to load the set at all throws `KeySetUnavailableError`.
 */
export function createRemoteKeySet(url: URL, fetchJwks?: JwksFetch): JWTVerifyGetKey {
  const jwks = createRemoteJWKSet(url, fetchJwks ? { [customFetch]: fetchJwks } : {})
  return async (header, token) => {
    try {
      return await jwks(header, token)
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      )
        throw error
      throw new KeySetUnavailableError(`The key set at ${url.href} could not be loaded.`, {
        cause: error,
      })
    }
  }
}
