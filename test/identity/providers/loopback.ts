/**
 * Drives the loopback OpenID Provider (global-setup.mjs) from inside the Workers runtime, as a
 * browser would: follow its redirects with its cookies until it sends the browser back to the
 * Worker's callback. The account is named by `login_hint` (the provider's test interaction).
 */
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { api, CookieJar, jsonHeaders, bearer, type TokenSession } from '../../helpers'

export const PUBLIC_ORIGIN = 'https://auth.example.com'
export const APP_RETURN = 'https://app.example.com/after-sign-in'

export interface ProviderAccount {
  sub: string
  email?: string
  email_verified?: boolean
  name?: string
}

export const providerAccount = (claims: Partial<ProviderAccount> = {}): ProviderAccount => ({
  sub: `sub-${crypto.randomUUID()}`,
  ...claims,
})

/**
 * Signs in at the provider as `account` and returns the callback's path and query, as the provider
 * redirected to it. `tweak` may change the authorization request on its way (a wrong nonce).
 */
export async function authorizeAt(
  authorizationUrl: string,
  account: ProviderAccount,
  tweak?: (url: URL) => void,
): Promise<string> {
  const url = new URL(authorizationUrl)
  url.searchParams.set('login_hint', JSON.stringify(account))
  tweak?.(url)
  const cookies = new Map<string, string>()
  let next = url.toString()
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!
      const eq = pair.indexOf('=')
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const location = res.headers.get('location')
    if (!location) throw new Error(`the provider stopped at ${res.status}: ${await res.text()}`)
    await res.body?.cancel()
    const target = new URL(location, next)
    if (target.origin === PUBLIC_ORIGIN) return target.pathname + target.search
    next = target.toString()
  }
  throw new Error('the provider redirected too often')
}

/** Asks the loopback provider to re-sign the ID token of `nonce` with some claims changed. */
export async function alterIdToken(nonce: string, claims: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${env.TEST_OIDC_ISSUER}/__test/id-token`, {
    method: 'POST',
    body: JSON.stringify({ nonce, claims }),
  })
  expect(res.status).toBe(204)
}

export const nonceOf = (authorizationUrl: string) =>
  new URL(authorizationUrl).searchParams.get('nonce')!

/** Starts a browser sign-in from the jar's session (one is started when it has none). */
export async function startInBrowser(
  jar: CookieJar,
  provider = 'loopback',
  redirectTo = APP_RETURN,
): Promise<string> {
  const res = await jar.fetch(`/v1/auth/providers/${provider}/start`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ redirectTo }),
  })
  expect(res.status).toBe(200)
  return (await res.json<{ authorizationUrl: string }>()).authorizationUrl
}

/** A whole browser sign-in: start, the provider, the callback; the callback's answer. */
export async function signInInBrowser(
  jar: CookieJar,
  account: ProviderAccount,
  provider = 'loopback',
): Promise<Response> {
  const callback = await authorizeAt(await startInBrowser(jar, provider), account)
  return jar.fetch(callback, { redirect: 'manual' })
}

/** The PKCE pair a token client makes (RFC 7636 S256). */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)))
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return { verifier, challenge: base64url(new Uint8Array(digest)) }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** Starts a token client's sign-in from `session`, with a PKCE challenge for the handoff. */
export async function startAsTokenClient(
  session: TokenSession,
  challenge: string,
  redirectTo = 'http://127.0.0.1:53682/callback',
): Promise<string> {
  const res = await api('/v1/auth/providers/loopback/start', {
    method: 'POST',
    headers: jsonHeaders(bearer(session.accessToken)),
    body: JSON.stringify({
      redirectTo,
      codeChallenge: challenge,
      refreshToken: session.refreshToken,
    }),
  })
  expect(res.status).toBe(200)
  return (await res.json<{ authorizationUrl: string }>()).authorizationUrl
}

/** The `?code=` or `?error=` of a callback's redirect. */
export function redirectParams(res: Response): URLSearchParams {
  expect(res.status).toBe(302)
  return new URL(res.headers.get('location')!).searchParams
}
