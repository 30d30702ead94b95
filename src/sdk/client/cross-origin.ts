/**
 * Why a browser call across origins failed, and a warning for a set-up that cannot work. A fetch
 * the browser's CORS check refuses rejects exactly as one that never left the machine; a
 * `no-cors` probe of the same server tells them apart (it resolves, opaque, when the server is
 * reachable). Cookie transport with a page and a service on different sites (a page on
 * `localhost` calling `127.0.0.1`) loses the `SameSite=Lax` cookies on every call, so the
 * client warns once, in development.
 */
/** The page's location, where there is one (a browser); undefined on a server. */
export const pageLocation = ():
  { origin: string; hostname: string; protocol: string } | undefined =>
  (globalThis as { location?: { origin: string; hostname: string; protocol: string } }).location

/**
 * After a fetch to `url` rejected: true when a `no-cors` probe of the service (`probeUrl`)
 * answers, so the server was reachable and the browser withheld the answer (CORS). Only a page
 * calling another origin can meet CORS; anywhere else this is false without a probe.
 */
export async function refusedByCors(
  url: string,
  probeUrl: string,
  fetch: (
    input: string,
    init: { method: 'GET'; mode: 'no-cors'; credentials: 'omit' },
  ) => Promise<unknown>,
): Promise<boolean> {
  const page = pageLocation()
  if (!page || new URL(url).origin === page.origin) return false
  try {
    await fetch(probeUrl, { method: 'GET', mode: 'no-cors', credentials: 'omit' })
    return true
  } catch {
    return false
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
const isLoopback = (hostname: string) =>
  LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost')

/**
 * The site a cookie's `SameSite` compares (RFC 6265bis §5.2: scheme and registrable domain),
 * approximated by the last two labels: exact for the development hosts this warning is for,
 * and no public-suffix list shipped to the browser for it.
 */
function siteOf(url: URL): string {
  const host = url.hostname
  const isIp = /^[\d.]+$/.test(host) || host.startsWith('[')
  const domain = isIp || isLoopback(host) ? host : host.split('.').slice(-2).join('.')
  const registrable = host.endsWith('.localhost') ? 'localhost' : domain
  return `${url.protocol}//${registrable}`
}

const warned = new Set<string>()

/**
 * Warns once per page and service, in development (a page on a loopback host or plain http),
 * when cookie transport points at a service on another site: the browser would drop the
 * cookies on every call. Returns whether it warned, for tests.
 */
export function warnIfCrossSite(baseUrl: string, warn: (message: string) => void): boolean {
  const page = pageLocation()
  if (!page) return false
  const development = isLoopback(page.hostname) || page.protocol === 'http:'
  const service = new URL(baseUrl, page.origin)
  const key = `${page.origin} ${service.origin}`
  if (!development || warned.has(key) || siteOf(new URL(page.origin)) === siteOf(service))
    return false
  warned.add(key)
  warn(
    `edge-session: this page (${page.origin}) and the service (${service.origin}) are on ` +
      "different sites, so the browser drops the service's SameSite=Lax cookies and every call " +
      'looks like a new visitor. Open the page on the same host name as the service, or use ' +
      "transport: 'token' (and add the page's origin to ALLOWED_ORIGINS).",
  )
  return true
}
