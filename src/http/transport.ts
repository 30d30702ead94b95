/**
 * How tokens travel. Browsers (the default): two HttpOnly, SameSite=Lax, Path=/ cookies, `__Host-`
 * prefixed when Secure (RFC 6265bis §4.1.3.2). API clients send `X-Session-Transport: token` and
 * get the tokens in the JSON body instead, then authenticate with `Authorization: Bearer`.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { CookieOptions } from 'hono/utils/cookie'
import { invalidRequest } from '../errors'
import type { AppEnv } from './app-env'
import type { IssuedSession } from '../shapes'
import { looksLikeJwt } from '../auth/access-token'
import { parseRefreshToken } from '../auth/refresh-token'

export const ACCESS_COOKIE = 'access'
export const SESSION_COOKIE = 'session'
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

function cookieOptions(secure: boolean, maxAgeSeconds: number): CookieOptions {
  const base = { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: maxAgeSeconds } as const
  return secure ? { ...base, secure: true, prefix: 'host' } : base
}

const cookiePrefix = (secure: boolean) => (secure ? 'host' : undefined)

/** The name a browser sees: `__Host-` prefixed when Secure (RFC 6265bis §4.1.3.2). */
export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name
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
  setCookie(c, ACCESS_COOKIE, issued.accessToken, cookieOptions(secure, settings.ACCESS_TTL))
  const sessionSeconds = Math.max(0, Math.floor((issued.view.expiresAt - Date.now()) / 1000))
  setCookie(c, SESSION_COOKIE, issued.refreshToken, cookieOptions(secure, sessionSeconds))
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
  const secure = c.var.rt.settings.COOKIE_SECURE
  const options = { path: '/', secure, ...(secure ? { prefix: 'host' as const } : {}) }
  deleteCookie(c, ACCESS_COOKIE, options)
  deleteCookie(c, SESSION_COOKIE, options)
}

export interface CredentialCookies {
  access?: string | undefined
  session?: string | undefined
}

/** Reads our cookies; a cookie that is not even shaped right is a 400 and is cleared. */
export function readCredentialCookies(c: Context<AppEnv>): CredentialCookies {
  const prefix = cookiePrefix(c.var.rt.settings.COOKIE_SECURE)
  const access = prefix ? getCookie(c, ACCESS_COOKIE, prefix) : getCookie(c, ACCESS_COOKIE)
  const session = prefix ? getCookie(c, SESSION_COOKIE, prefix) : getCookie(c, SESSION_COOKIE)
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
