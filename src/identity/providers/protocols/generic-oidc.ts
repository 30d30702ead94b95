/**
 * Any OpenID Connect issuer, found by its discovery document (oauth4webapi): authorization code
 * with PKCE, `state` and `nonce`; the token response's ID token checked by oauth4webapi (issuer,
 * audience, expiry, nonce) and its signature by the issuer's JWKS (id-tokens.ts).
 */
import * as oauth from 'oauth4webapi'
import { normalizeEmail } from '../../emails'
import { verifyIdToken } from './id-tokens'
import { providerRejected, providerUnavailable } from './provider-errors'
import type { FlowSecrets, ProviderIdentity, SignInProvider } from './provider'

export interface OidcProviderOptions {
  id: string
  name: string
  issuer: string
  clientId: string
  clientSecret?: string | undefined
  scopes?: string[] | undefined
  trustVerifiedEmail: boolean
}

/** Discovery documents by issuer, once per isolate; a failed fetch is forgotten so a retry can succeed. */
const discovered = new Map<string, Promise<oauth.AuthorizationServer>>()

/**
 * An issuer on this machine (http://127.0.0.1 or localhost) may speak plain HTTP: a provider run
 * for development or tests. Every other issuer must be HTTPS, as oauth4webapi insists.
 */
function isLoopback(issuer: URL): boolean {
  return (
    issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname)
  )
}

export function createOidcProvider(options: OidcProviderOptions): SignInProvider {
  const issuer = new URL(options.issuer)
  const insecure = { [oauth.allowInsecureRequests]: isLoopback(issuer) }
  const client: oauth.Client = { client_id: options.clientId }
  const clientAuth = options.clientSecret
    ? oauth.ClientSecretBasic(options.clientSecret)
    : oauth.None()
  const scopes = options.scopes ?? ['openid', 'email', 'profile']

  function server(): Promise<oauth.AuthorizationServer> {
    let found = discovered.get(issuer.href)
    if (!found) {
      found = oauth
        .discoveryRequest(issuer, insecure)
        .then((response) => oauth.processDiscoveryResponse(issuer, response))
      discovered.set(issuer.href, found)
      found.catch(() => discovered.delete(issuer.href))
    }
    return found.catch((error: unknown) => {
      throw providerUnavailable(`discovery of ${issuer.href}: ${String(error)}`)
    })
  }

  return {
    id: options.id,
    name: options.name,
    async authorizationUrl(flow: FlowSecrets): Promise<URL> {
      const as = await server()
      if (!as.authorization_endpoint) throw providerUnavailable('no authorization_endpoint')
      const url = new URL(as.authorization_endpoint)
      url.searchParams.set('client_id', options.clientId)
      url.searchParams.set('redirect_uri', flow.redirectUri)
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('scope', scopes.join(' '))
      url.searchParams.set('state', flow.state)
      url.searchParams.set('nonce', flow.nonce)
      url.searchParams.set(
        'code_challenge',
        await oauth.calculatePKCECodeChallenge(flow.codeVerifier),
      )
      url.searchParams.set('code_challenge_method', 'S256')
      return url
    },
    async identify(flow: FlowSecrets, callback: URLSearchParams): Promise<ProviderIdentity> {
      const as = await server()
      let claims: oauth.IDToken | undefined
      let idToken: string | undefined
      try {
        const params = oauth.validateAuthResponse(as, client, callback, flow.state)
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          params,
          flow.redirectUri,
          flow.codeVerifier,
          insecure,
        )
        const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
          expectedNonce: flow.nonce,
          requireIdToken: true,
        })
        claims = oauth.getValidatedIdTokenClaims(result)
        idToken = result.id_token
      } catch (error) {
        if (
          error instanceof oauth.ResponseBodyError ||
          error instanceof oauth.OperationProcessingError ||
          error instanceof oauth.AuthorizationResponseError ||
          error instanceof oauth.WWWAuthenticateChallengeError
        )
          throw providerRejected(`${options.id}: ${error.message}`)
        throw providerUnavailable(`${options.id}: ${String(error)}`)
      }
      if (!claims || !idToken || !as.jwks_uri) throw providerRejected(`${options.id}: no ID token`)
      await verifyIdToken(idToken, {
        jwksUri: as.jwks_uri,
        issuer: as.issuer,
        audience: options.clientId,
        nonce: flow.nonce,
      })
      return oidcIdentity(options.id, claims, options.trustVerifiedEmail)
    },
  }
}

/** The identity an OpenID Connect ID token names: `sub`, and `email` with `email_verified`. */
export function oidcIdentity(
  provider: string,
  claims: Record<string, unknown>,
  trustVerifiedEmail: boolean,
): ProviderIdentity {
  const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : null
  const emailVerified = email !== null && claims.email_verified === true
  return {
    provider,
    subject: String(claims.sub),
    email,
    emailVerified,
    emailTrusted: emailVerified && trustVerifiedEmail,
    name: typeof claims.name === 'string' ? claims.name : null,
  }
}
