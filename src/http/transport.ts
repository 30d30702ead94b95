/**
 * How tokens travel. Browsers (the default): two HttpOnly, SameSite=Lax, Path=/ cookies, `__Host-`
 * prefixed when Secure (RFC 6265bis §4.1.3.2). API clients send `X-Session-Transport: token` and
 * get the tokens in the JSON body instead, then authenticate with `Authorization: Bearer`.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { CookieOptions } from 'hono/utils/cookie'
import { invalidRequest } from '../platform/errors'
import type { AppEnv } from './app-env'
import type { IssuedSession } from '../platform/shared-types'
import { looksLikeJwt } from '../platform/tokens/access-token'
import { parseRefreshToken } from '../platform/tokens/refresh-token'

export const ACCESS_COOKIE = 'access'
export const SESSION_COOKIE = 'session'
/** The device credential (src/identity/credentials/device-credentials.ts): outlives sessions and logouts. */
export const DEVICE_COOKIE = 'device'
/** The longest lifetime browsers keep a cookie (RFC 6265bis §5.5: 400 days). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60
export const TRANSPORT_HEADER = 'X-Session-Transport'

/** The `tokens` object of the contract. */
export interface TokenPair {
  accessToken: string
  refreshToken: string
  tokenType: 'Bearer'
  expiresIn: number
}

export function wantsTokenTransport(c: Context): boolean {
  return c.req.header(TRANSPORT_HEADER)?.toLowerCase() === 'token'
}

/**
 * Our cookies' attributes, decided once for setting, reading and clearing them: HttpOnly,
 * SameSite=Lax, Path=/, and Secure with the `__Host-` prefix together (RFC 6265bis §4.1.3.2).
 * Without Secure (an IP-address origin only, see config.ts) there is no prefix either.
 */
export function cookieAttributes(secure: boolean): CookieOptions {
  const base = { httpOnly: true, sameSite: 'Lax', path: '/' } as const
  return secure ? { ...base, secure: true, prefix: 'host' } : base
}

/** The name a browser sees: `__Host-` prefixed when Secure. */
export function cookieName(name: string, secure: boolean): string {
  return cookieAttributes(secure).prefix === 'host' ? `__Host-${name}` : name
}

function readCookie(c: Context, name: string, secure: boolean): string | undefined {
  const { prefix } = cookieAttributes(secure)
  return prefix ? getCookie(c, name, prefix) : getCookie(c, name)
}

/**
 * Hands a new or rotated session to the client: cookies by default; for token transport the route
 * puts `issuedTokens(c)` into its body instead.
 */
export function deliverSession(c: Context<AppEnv>, issued: IssuedSession): void {
  c.set('issued', issued)
  if (wantsTokenTransport(c)) return
  const { settings } = c.var.rt
  const secure = settings.COOKIE_SECURE
  const attributes = cookieAttributes(secure)
  setCookie(c, ACCESS_COOKIE, issued.accessToken, { ...attributes, maxAge: settings.ACCESS_TTL })
  const sessionSeconds = Math.max(0, Math.floor((issued.view.expiresAt - Date.now()) / 1000))
  setCookie(c, SESSION_COOKIE, issued.refreshToken, { ...attributes, maxAge: sessionSeconds })
}

/** The token pair for the body, when this request asked for token transport and got a session. */
export function issuedTokens(c: Context<AppEnv>): { tokens?: TokenPair } {
  const issued = c.var.issued
  return issued && wantsTokenTransport(c) ? { tokens: tokenPair(issued) } : {}
}

/** The contract's `tokens` object for a session. */
export function tokenPair(issued: IssuedSession): TokenPair {
  return {
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    tokenType: 'Bearer',
    expiresIn: issued.expiresIn,
  }
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  const attributes = cookieAttributes(c.var.rt.settings.COOKIE_SECURE)
  deleteCookie(c, ACCESS_COOKIE, attributes)
  deleteCookie(c, SESSION_COOKIE, attributes)
}

/**
 * Hands a device credential to the client: a cookie by default; for token transport the answer's
 * `deviceCredential`, which the client sends back in the body of its sign-in requests.
 */
export function deliverDeviceCredential(
  c: Context<AppEnv>,
  credential: string,
): { deviceCredential?: string } {
  if (wantsTokenTransport(c)) return { deviceCredential: credential }
  const attributes = cookieAttributes(c.var.rt.settings.COOKIE_SECURE)
  setCookie(c, DEVICE_COOKIE, credential, {
    ...attributes,
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  })
  return {}
}

/** The device cookie, unchecked: a malformed one is worth what none is. */
export function readDeviceCookie(c: Context<AppEnv>): string | undefined {
  return readCookie(c, DEVICE_COOKIE, c.var.rt.settings.COOKIE_SECURE)
}

export interface CredentialCookies {
  access?: string | undefined
  session?: string | undefined
}

/** Reads our cookies; a cookie that is not even shaped right is a 400 and is cleared. */
export function readCredentialCookies(c: Context<AppEnv>): CredentialCookies {
  const secure = c.var.rt.settings.COOKIE_SECURE
  const access = readCookie(c, ACCESS_COOKIE, secure)
  const session = readCookie(c, SESSION_COOKIE, secure)
  if (
    (access !== undefined && !looksLikeJwt(access)) ||
    (session !== undefined && !parseRefreshToken(session))
  ) {
    clearSessionCookies(c)
    throw invalidRequest('The session cookies are malformed; they have been cleared.')
  }
  return { access, session }
}

/** The bearer token of the Authorization header: undefined when absent, null when malformed. */
export function readBearerToken(c: Context): string | null | undefined {
  const header = c.req.header('authorization')
  if (header === undefined) return undefined
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header)
  return match?.[1] ?? null
}
