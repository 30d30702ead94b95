/**
 * Where a sign-in with a provider may send the browser back: a redirect target taken from the
 * request is an open redirect unless it is held to an allow-list (REDIRECT_ORIGINS).
 */
import { AppError } from '../../platform/errors'
import { CODE } from '../../contract/error-codes'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * The target as a URL when it is allowed: its origin is listed, or its private-use scheme is
 * (`com.example.app:`), or it is a loopback address on any port (RFC 8252 §7.3: native and CLI
 * clients listen on a port chosen at run time). Else 400 `redirect_not_allowed`.
 */
export function allowedRedirect(allowed: readonly string[], target: string): URL {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    throw redirectNotAllowed()
  }
  if (url.username || url.password) throw redirectNotAllowed()
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url
  const listed = allowed.some((entry) => {
    const allowedUrl = new URL(entry)
    return isWebScheme(allowedUrl.protocol)
      ? allowedUrl.origin === url.origin
      : allowedUrl.protocol === url.protocol && !isWebScheme(url.protocol)
  })
  if (!listed) throw redirectNotAllowed()
  return url
}

/**
 * The target with the outcome's parameters added (`?code=`, `?error=`). Its fragment stays: it is
 * the app's own place (a client-side route), where the person goes back to, as on success.
 */
export function redirectWith(target: string, params: Record<string, string>): string {
  const url = new URL(target)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.toString()
}

function isWebScheme(protocol: string): boolean {
  return protocol === 'https:' || protocol === 'http:'
}

const redirectNotAllowed = () => new AppError(400, CODE.redirect_not_allowed)
