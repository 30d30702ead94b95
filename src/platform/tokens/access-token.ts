/**
 * Access tokens: ES256 JWTs typed `at+jwt` (RFC 9068). Verification is the fast path: no I/O beyond
 * the isolate's cached key set. It pins the algorithm, `typ`, `iss` and `aud`, takes keys only from
 * our own set (never from `jwk`, `jku` or `x5u` headers) and treats an unknown `kid` as invalid.
 */
import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose'
import { SIGNING_ALG, type KeySet } from './key-set'

export const ACCESS_TOKEN_TYPE = 'at+jwt'
/** How far ahead of this isolate's clock another's `iat` may be. */
export const CLOCK_SKEW_SECONDS = 60

/**
 * The private claim carrying the issue time in ms. `iat` is whole seconds (RFC 7519 NumericDate,
 * kept an integer for every verifier out there); the kill switch is an instant in ms, and a token
 * issued in the switch's own second must be told apart from one issued before it.
 */
const ISSUED_AT_MS_CLAIM = 'iat_ms'

/** The claims we put in every access token. */
export interface AccessClaims {
  sub: string
  sid: string
  anon: boolean
  role: string
  email?: string
  iat: number
  /** The issue time in ms: the `iat_ms` claim, or `iat` × 1000 in a token without one. */
  iatMs: number
  exp: number
}

export interface TokenAudience {
  issuer: string
  audience: string
}

export interface SignAccessTokenInput {
  userId: string
  sessionId: string
  isAnonymous: boolean
  role: string
  email: string | null
  now: number
  ttlSeconds: number
}

export async function signAccessToken(
  keys: KeySet,
  audience: TokenAudience,
  input: SignAccessTokenInput,
): Promise<string> {
  const iat = Math.floor(input.now / 1000)
  const claims: Record<string, unknown> = {
    sid: input.sessionId,
    anon: input.isAnonymous,
    role: input.role,
    [ISSUED_AT_MS_CLAIM]: input.now,
  }
  if (input.email) claims.email = input.email
  return new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid: keys.signer.kid })
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setSubject(input.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .sign(keys.signer.privateKey)
}

export type VerifyResult =
  { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' }

const localSets = new WeakMap<KeySet, ReturnType<typeof createLocalJWKSet>>()

/**
 * Tokens whose signature this isolate has checked against a key set, with their claims. An ES256
 * verification was a quarter of the CPU of a bearer request (`GET /v1/auth/token-info` profiled
 * under load), and a tab presents the same access token with every call for its five minutes.
 * What a signature proves never changes, so only it is remembered: a hit still checks expiry and
 * `iat` against the clock, and every caller still applies the kill switch and asks whatever else
 * it asks (the session object, D1). Keyed by the key set object, which the isolate reloads every
 * 30 s (`KEY_CACHE_TTL_MS`), so a key rotated out stops verifying exactly when it did before.
 */
const verifiedTokens = new WeakMap<KeySet, Map<string, AccessClaims>>()
/** Entries per key set; the oldest goes first. About 1 KB each. */
export const VERIFIED_TOKENS_MAX = 2_000

/** Verifies an access token against the key set; never throws. */
export async function verifyAccessToken(
  keys: KeySet,
  audience: TokenAudience,
  token: string,
  now: number,
): Promise<VerifyResult> {
  let verified = verifiedTokens.get(keys)
  if (!verified) {
    verified = new Map()
    verifiedTokens.set(keys, verified)
  }
  // The audience is the isolate's settings; part of the key all the same.
  const key = `${audience.issuer} ${audience.audience} ${token}`
  const known = verified.get(key)
  if (known) return checkTimes(known, now)
  let jwks = localSets.get(keys)
  if (!jwks) {
    jwks = createLocalJWKSet({ keys: keys.publicKeys.map((k) => k.jwk) })
    localSets.set(keys, jwks)
  }
  const result = await verifyAccessTokenWith(jwks, audience, token, now)
  if (result.ok) {
    if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!)
    verified.set(key, result.claims)
  }
  return result
}

/** What jose and `verifyAccessTokenWith` check against the clock, for a remembered signature. */
function checkTimes(claims: AccessClaims, now: number): VerifyResult {
  if (claims.exp <= Math.floor(now / 1000)) return { ok: false, reason: 'expired' }
  if (claims.iat > now / 1000 + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'invalid' }
  return { ok: true, claims }
}

/**
 * Thrown by a key resolver that could not load its key set at all (a remote JWKS that timed out or
 * answered garbage): `verifyAccessTokenWith` lets it through, since that says nothing about the token.
 */
export class KeySetUnavailableError extends Error {
  override name = 'KeySetUnavailableError'
}

/**
 * The one verification every path shares (local key set, remote JWKS): pins the algorithm, `typ`,
 * `iss` and `aud` and checks the claims' types. Never throws, except `KeySetUnavailableError`.
 */
export async function verifyAccessTokenWith(
  getKey: JWTVerifyGetKey,
  audience: TokenAudience,
  token: string,
  now: number,
): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALG],
      typ: ACCESS_TOKEN_TYPE,
      issuer: audience.issuer,
      audience: audience.audience,
      requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      currentDate: new Date(now),
    })
    const claims = parseClaims(payload)
    // jose checks exp and nbf but not a future iat: a token "issued" later than now (beyond clock
    // skew) is not yet valid, whoever signed it.
    if (!claims || claims.iat > now / 1000 + CLOCK_SKEW_SECONDS)
      return { ok: false, reason: 'invalid' }
    return { ok: true, claims }
  } catch (error) {
    if (error instanceof KeySetUnavailableError) throw error
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
    return { ok: false, reason: 'invalid' }
  }
}

function parseClaims(payload: Record<string, unknown>): AccessClaims | null {
  const { sub, sid, anon, role, email, iat, exp } = payload
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof anon !== 'boolean') return null
  if (typeof role !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return null
  if (email !== undefined && typeof email !== 'string') return null
  const iatMs = issuedAtMs(payload[ISSUED_AT_MS_CLAIM], iat)
  if (iatMs === null) return null
  return { sub, sid, anon, role, iat, iatMs, exp, ...(email ? { email } : {}) }
}

/** The ms issue time, which must fall within `iat`'s second; `iat` × 1000 when absent. */
function issuedAtMs(claim: unknown, iat: number): number | null {
  if (claim === undefined) return iat * 1000
  if (!Number.isSafeInteger(claim) || Math.floor((claim as number) / 1000) !== iat) return null
  return claim as number
}

/** A JWT has three base64url segments; anything else is malformed input rather than a bad token. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value) && value.length <= 4096
}
