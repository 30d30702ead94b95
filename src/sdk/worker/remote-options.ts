/**
 * The options of the remote user-context middleware, checked once at construction: a typo in a
 * URL or issuer fails the deployment loudly with the option's name (as Hono's jwt middleware does
 * for a missing `alg`) instead of refusing every token at run time.
 */
import { ACCESS_COOKIE, cookieName as browserCookieName } from '../../http/transport'
import type { TokenAudience } from '../../platform/tokens/access-token'
import type { JwksFetch } from './remote-key-set'

/** `optional`: no token gives a null user; `required`: 401. Creating sessions stays at the service. */
export type RemoteUserContextMode = 'optional' | 'required'

export interface RemoteUserContextOptions {
  /** The service's key set, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUrl: string | URL
  /** The service's `ISSUER` setting: the tokens' `iss`. */
  issuer: string
  /** The service's `AUDIENCE` setting: the tokens' `aud`. */
  audience: string
  mode: RemoteUserContextMode
  /** The access cookie's name; `__Host-access` by default (`access` with `COOKIE_SECURE=false`). */
  cookieName?: string | undefined
  /** Fetches the JWKS instead of the global `fetch`, e.g. through a service binding. */
  fetch?: JwksFetch | undefined
}

export interface ParsedRemoteOptions {
  jwksUrl: URL
  audience: TokenAudience
  mode: RemoteUserContextMode
  cookieName: string
  fetch?: JwksFetch | undefined
}

export const DEFAULT_ACCESS_COOKIE = browserCookieName(ACCESS_COOKIE, true)

// RFC 6265 §4.1.1: a cookie name is an HTTP token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function invalid(option: string, requirement: string, got: unknown): never {
  throw new Error(`userContext: option "${option}" ${requirement}; got ${JSON.stringify(got)}.`)
}

/** Checks every option and fills in defaults; throws naming the first bad option. */
export function parseRemoteOptions(options: RemoteUserContextOptions): ParsedRemoteOptions {
  if (typeof options !== 'object' || options === null)
    throw new Error('userContext requires options: { jwksUrl, issuer, audience, mode }.')
  const { jwksUrl, issuer, audience, mode, cookieName = DEFAULT_ACCESS_COOKIE, fetch } = options
  const url = parseJwksUrl(jwksUrl)
  if (typeof issuer !== 'string' || issuer.trim() === '')
    invalid('issuer', "must be the service's ISSUER", issuer)
  if (typeof audience !== 'string' || audience.trim() === '')
    invalid('audience', "must be the service's AUDIENCE", audience)
  if (mode !== 'optional' && mode !== 'required')
    invalid('mode', 'must be "optional" or "required" (sessions are created at the service)', mode)
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))
    invalid('cookieName', 'must be a cookie name', cookieName)
  if (fetch !== undefined && typeof fetch !== 'function')
    invalid('fetch', 'must be a function', typeof fetch)
  return { jwksUrl: url, audience: { issuer, audience }, mode, cookieName, fetch }
}

function parseJwksUrl(value: unknown): URL {
  let url: URL | undefined
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  // Keys fetched over plain http could be swapped by anyone on the path; only loopback is spared.
  const secure =
    url?.protocol === 'https:' || (url?.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))
  if (!url || !secure)
    invalid('jwksUrl', 'must be an https URL (http only for localhost)', String(value))
  return url
}
