/**
 * Access tokens an attacker could present: forged, expired, mis-addressed, mis-typed, mangled.
 * Both the service's own verification and the library middleware must refuse every one.
 */
import {
  base64url,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWTHeaderParameters,
} from 'jose'
import { env } from 'cloudflare:workers'
import { signAccessToken } from '../src/platform/tokens/access-token'
import { createSigningKeyRow } from '../src/platform/tokens/signing-keys'
import { openValue, signingKeySlot } from '../src/platform/crypto/sealing'
import { runtime, type TokenSession } from './helpers'

export const AUDIENCE = { issuer: 'https://auth.example.com', audience: 'https://app.example.com' }

async function ourKeys() {
  return (await runtime()).keys.get()
}

export function claimsFor(s: { userId: string; sessionId: string }, now = Date.now()) {
  return {
    userId: s.userId,
    sessionId: s.sessionId,
    isAnonymous: true,
    role: 'user',
    email: null,
    now,
    ttlSeconds: 300,
  }
}

/** A token signed with our own current key, with the audience or clock changed. */
export async function signOurs(
  s: { userId: string; sessionId: string },
  audience: Partial<typeof AUDIENCE>,
  now = Date.now(),
) {
  return signAccessToken(await ourKeys(), { ...AUDIENCE, ...audience }, claimsFor(s, now))
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value))

/** A well-formed access token for the session with any header and key: the attacker's tool. */
function forge(
  s: { userId: string; sessionId: string },
  header: JWTHeaderParameters,
  key: CryptoKey | Uint8Array,
  role = 'admin',
) {
  return new SignJWT({ sid: s.sessionId, anon: true, role })
    .setProtectedHeader(header)
    .setIssuer(AUDIENCE.issuer)
    .setAudience(AUDIENCE.audience)
    .setSubject(s.userId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
}

/** Every way a forged or broken token can arrive; each must give 401 with the JSON error shape. */
export const forgedTokens: Array<[string, (s: TokenSession) => Promise<string>]> = [
  ['a malformed token', async () => 'not-a-jwt'],
  ['an expired token', async (s) => signOurs(s, {}, Date.now() - 3_600_000)],
  ['a token for another audience', async (s) => signOurs(s, { audience: 'https://evil.example' })],
  ['a token from another issuer', async (s) => signOurs(s, { issuer: 'https://evil.example' })],
  [
    'a token signed by a key that is not ours, under our kid',
    async (s) => {
      const keys = await ourKeys()
      const { privateKey } = await generateKeyPair('ES256')
      return signAccessToken(
        { ...keys, signer: { kid: keys.signer.kid, privateKey } },
        AUDIENCE,
        claimsFor(s),
      )
    },
  ],
  [
    'a token with an unknown kid',
    async (s) => {
      const keys = await ourKeys()
      const { privateKey } = await generateKeyPair('ES256')
      return signAccessToken(
        { ...keys, signer: { kid: 'key_attacker', privateKey } },
        AUDIENCE,
        claimsFor(s),
      )
    },
  ],
  [
    'a token carrying its own key in a jwk header',
    async (s) => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
      return forge(s, { alg: 'ES256', typ: 'at+jwt', jwk: await exportJWK(publicKey) }, privateKey)
    },
  ],
  [
    'alg: none',
    async (s) => {
      const now = Math.floor(Date.now() / 1000)
      const payload = {
        iss: AUDIENCE.issuer,
        aud: AUDIENCE.audience,
        sub: s.userId,
        sid: s.sessionId,
        anon: true,
        role: 'admin',
        iat: now,
        exp: now + 300,
      }
      return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(payload)}.`
    },
  ],
  [
    'HS256 signed with our public key (algorithm confusion)',
    async (s) => {
      const keys = await ourKeys()
      const secret = new TextEncoder().encode(JSON.stringify(keys.publicKeys[0]!.jwk))
      return forge(s, { alg: 'HS256', typ: 'at+jwt', kid: keys.signer.kid }, secret)
    },
  ],
  [
    'a tampered payload',
    async (s) => {
      const [header, payload, signature] = s.accessToken.split('.')
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)))
      return `${header}.${encode({ ...claims, role: 'admin' })}.${signature}`
    },
  ],
  [
    'a token typed as an ID token',
    async (s) => {
      const keys = await ourKeys()
      return forge(
        s,
        { alg: 'ES256', typ: 'JWT', kid: keys.signer.kid },
        keys.signer.privateKey,
        'user',
      )
    },
  ],
  ['an oversized token', async (s) => `${s.accessToken}${'A'.repeat(10_000)}`],
  ['a truncated token', async (s) => s.accessToken.slice(0, -20)],
  ['a token not valid until tomorrow', async (s) => signOurs(s, {}, Date.now() + 86_400_000)],
  [
    'a token whose kid tries to point elsewhere',
    async (s) => {
      const keys = await ourKeys()
      return forge(
        s,
        { alg: 'ES256', typ: 'at+jwt', kid: `../../${keys.signer.kid}` },
        keys.signer.privateKey,
        'user',
      )
    },
  ],
  [
    'a token signed by a key retired after its grace',
    async (s) => {
      const keys = await ourKeys()
      const { masterKeys } = await runtime()
      const retired = await createSigningKeyRow(masterKeys, Date.now() - 86_400_000)
      await env.DB.prepare(
        'insert into signing_keys (kid, public_jwk, private_jwk_sealed, created_at, retired_at) values (?, ?, ?, ?, ?)',
      )
        .bind(
          retired.kid,
          retired.publicJwk,
          retired.privateJwkSealed,
          retired.createdAt,
          Date.now(),
        )
        .run()
      const privateJwk = JSON.parse(
        await openValue(masterKeys, retired.privateJwkSealed, signingKeySlot(retired.kid)),
      )
      const privateKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey
      return signAccessToken(
        { ...keys, signer: { kid: retired.kid, privateKey } },
        AUDIENCE,
        claimsFor(s),
      )
    },
  ],
]
