/**
 * Google, GitHub, Apple and Microsoft by name (arctic builds their authorization URLs and exchanges
 * codes). Google, Apple and Microsoft are OpenID providers: their ID tokens are verified as any
 * issuer's (id-tokens.ts); GitHub is plain OAuth, read through its API.
 */
import {
  Apple,
  ArcticFetchError,
  GitHub,
  Google,
  MicrosoftEntraId,
  OAuth2RequestError,
  type OAuth2Tokens,
} from 'arctic'
import type { Settings } from '../../../platform/config'
import { fromBase64 } from '../../../platform/encoding'
import { verifyIdToken } from './id-tokens'
import {
  appleIdentity,
  githubIdentity,
  microsoftIdentity,
  microsoftIssuerMatches,
  type GitHubEmail,
  type GitHubUser,
} from './profile-mapping'
import { oidcIdentity } from './generic-oidc'
import { providerRejected, providerUnavailable } from './provider-errors'
import type { FlowSecrets, SignInProvider } from './provider'
import { callbackUri } from './callback-uri'

export function namedProviders(settings: Settings): SignInProvider[] {
  const s = settings
  const list: SignInProvider[] = []
  if (s.GOOGLE_CLIENT_ID && s.GOOGLE_CLIENT_SECRET)
    list.push(google(s.GOOGLE_CLIENT_ID, s.GOOGLE_CLIENT_SECRET, s.GOOGLE_SCOPES, s))
  if (s.GITHUB_CLIENT_ID && s.GITHUB_CLIENT_SECRET)
    list.push(github(s.GITHUB_CLIENT_ID, s.GITHUB_CLIENT_SECRET, s.GITHUB_SCOPES, s))
  if (s.APPLE_CLIENT_ID && s.APPLE_TEAM_ID && s.APPLE_KEY_ID && s.APPLE_PRIVATE_KEY)
    list.push(apple(s))
  if (s.MICROSOFT_CLIENT_ID && s.MICROSOFT_CLIENT_SECRET) list.push(microsoft(s))
  return list
}

function google(
  clientId: string,
  secret: string,
  scopes: string[] | undefined,
  s: Settings,
): SignInProvider {
  const client = new Google(clientId, secret, callbackUri(s, 'google'))
  return {
    id: 'google',
    name: 'Google',
    async authorizationUrl(flow) {
      const url = client.createAuthorizationURL(
        flow.state,
        flow.codeVerifier,
        scopes ?? ['openid', 'email', 'profile'],
      )
      url.searchParams.set('nonce', flow.nonce)
      return url
    },
    async identify(flow, callback) {
      const tokens = await exchange(() =>
        client.validateAuthorizationCode(codeOf(callback), flow.codeVerifier),
      )
      const claims = await verifyIdToken(idTokenOf(tokens), {
        jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
        issuer: (c) => c.iss === 'https://accounts.google.com' || c.iss === 'accounts.google.com',
        audience: clientId,
        nonce: flow.nonce,
      })
      return oidcIdentity('google', claims, true)
    },
  }
}

function github(
  clientId: string,
  secret: string,
  scopes: string[] | undefined,
  s: Settings,
): SignInProvider {
  const client = new GitHub(clientId, secret, callbackUri(s, 'github'))
  return {
    id: 'github',
    name: 'GitHub',
    async authorizationUrl(flow) {
      return client.createAuthorizationURL(flow.state, scopes ?? ['read:user', 'user:email'])
    },
    async identify(_flow, callback) {
      const tokens = await exchange(() => client.validateAuthorizationCode(codeOf(callback)))
      const token = tokens.accessToken()
      const [user, emails] = await Promise.all([
        githubApi<GitHubUser>('/user', token),
        githubApi<GitHubEmail[]>('/user/emails', token),
      ])
      return githubIdentity(user, emails)
    },
  }
}

async function githubApi<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`https://api.github.com${path}`, {
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/vnd.github+json',
      'User-Agent': 'edge-session',
    },
  }).catch((error: unknown) => {
    throw providerUnavailable(`github ${path}: ${String(error)}`)
  })
  if (!response.ok) throw providerRejected(`github ${path}: ${response.status}`)
  return response.json<T>()
}

function apple(s: Settings): SignInProvider {
  const clientId = s.APPLE_CLIENT_ID!
  const client = new Apple(
    clientId,
    s.APPLE_TEAM_ID!,
    s.APPLE_KEY_ID!,
    pkcs8Bytes(s.APPLE_PRIVATE_KEY!),
    callbackUri(s, 'apple'),
  )
  return {
    id: 'apple',
    name: 'Apple',
    async authorizationUrl(flow) {
      const url = client.createAuthorizationURL(flow.state, s.APPLE_SCOPES ?? ['name', 'email'])
      url.searchParams.set('nonce', flow.nonce)
      // Apple answers a request for the name or email only by POSTing the callback (form_post).
      url.searchParams.set('response_mode', 'form_post')
      return url
    },
    async identify(flow, callback) {
      const tokens = await exchange(() => client.validateAuthorizationCode(codeOf(callback)))
      const claims = await verifyIdToken(idTokenOf(tokens), {
        jwksUri: 'https://appleid.apple.com/auth/keys',
        issuer: 'https://appleid.apple.com',
        audience: clientId,
        nonce: flow.nonce,
      })
      return appleIdentity(claims, callback.get('user'))
    },
  }
}

function microsoft(s: Settings): SignInProvider {
  const clientId = s.MICROSOFT_CLIENT_ID!
  const tenant = s.MICROSOFT_TENANT
  const client = new MicrosoftEntraId(
    tenant,
    clientId,
    s.MICROSOFT_CLIENT_SECRET!,
    callbackUri(s, 'microsoft'),
  )
  return {
    id: 'microsoft',
    name: 'Microsoft',
    async authorizationUrl(flow: FlowSecrets) {
      const url = client.createAuthorizationURL(
        flow.state,
        flow.codeVerifier,
        s.MICROSOFT_SCOPES ?? ['openid', 'email', 'profile'],
      )
      url.searchParams.set('nonce', flow.nonce)
      return url
    },
    async identify(flow, callback) {
      const tokens = await exchange(() =>
        client.validateAuthorizationCode(codeOf(callback), flow.codeVerifier),
      )
      const claims = await verifyIdToken(idTokenOf(tokens), {
        jwksUri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
        issuer: (c) => microsoftIssuerMatches(c, tenant),
        audience: clientId,
        nonce: flow.nonce,
      })
      return microsoftIdentity(claims)
    },
  }
}

function codeOf(callback: URLSearchParams): string {
  const code = callback.get('code')
  if (!code) throw providerRejected('callback without a code')
  return code
}

function idTokenOf(tokens: OAuth2Tokens): string {
  try {
    return tokens.idToken()
  } catch {
    throw providerRejected('token response without an ID token')
  }
}

/** The code exchange, its failures in our vocabulary: a refused code is the caller's problem. */
async function exchange(run: () => Promise<OAuth2Tokens>): Promise<OAuth2Tokens> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof OAuth2RequestError) throw providerRejected(`code exchange: ${error.code}`)
    if (error instanceof ArcticFetchError)
      throw providerUnavailable(`code exchange: ${error.message}`)
    throw providerUnavailable(`code exchange: ${String(error)}`)
  }
}

/** The Apple key as PKCS#8 bytes, from its PEM or the PEM's base64 body. */
function pkcs8Bytes(key: string): Uint8Array {
  return fromBase64(key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''))
}
