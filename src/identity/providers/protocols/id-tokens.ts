/**
 * ID token verification (OpenID Connect Core §3.1.3.7): the signature from the issuer's JWKS, the
 * issuer, the audience, the nonce of this flow and the expiry. Keys come only from the issuer's
 * published JWKS, never from the token's own headers.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose'
import { providerRejected } from './provider-errors'

/** One key set per JWKS address in this isolate: jose caches and refreshes it (unknown `kid`). */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

function keySetAt(jwksUri: string) {
  let keySet = keySets.get(jwksUri)
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri))
    keySets.set(jwksUri, keySet)
  }
  return keySet
}

export interface IdTokenExpectations {
  jwksUri: string
  /** The issuer exactly, or a check for issuers that vary (Microsoft's per-tenant issuer). */
  issuer: string | ((claims: JWTPayload) => boolean)
  audience: string
  nonce: string
}

export async function verifyIdToken(
  idToken: string,
  expected: IdTokenExpectations,
): Promise<JWTPayload> {
  let claims: JWTPayload
  try {
    const verified = await jwtVerify(idToken, keySetAt(expected.jwksUri), {
      audience: expected.audience,
      ...(typeof expected.issuer === 'string' ? { issuer: expected.issuer } : {}),
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      clockTolerance: 30,
    })
    claims = verified.payload
  } catch (error) {
    if (error instanceof errors.JOSEError) throw providerRejected(`ID token: ${error.code}`)
    throw error
  }
  if (typeof expected.issuer === 'function' && !expected.issuer(claims))
    throw providerRejected('ID token: issuer')
  if (claims.nonce !== expected.nonce) throw providerRejected('ID token: nonce')
  return claims
}
