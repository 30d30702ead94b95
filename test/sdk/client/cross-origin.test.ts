/**
 * The SDK's cross-origin diagnostics, with a page location stubbed in: a CORS refusal told apart
 * from a network failure by a no-cors probe, and the once-only development warning for cookie
 * transport across sites. test-browser/ has the same refusal in Chromium.
 */
import { exports } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient, type FetchLike } from '../../../src/sdk/client'
import { api, BASE } from '../../helpers'
import { caught } from './worker-fetch'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

function pageAt(url: string) {
  const { origin, hostname, protocol } = new URL(url)
  vi.stubGlobal('location', { origin, hostname, protocol })
}

/**
 * A browser's fetch to a service that leaves this page's origin out of ALLOWED_ORIGINS: a CORS
 * request rejects with a TypeError, a no-cors one gets the (opaque) answer. `reachable: false`
 * is a service that is down: every request rejects.
 */
function browserFetch(probes: string[], reachable = true): FetchLike {
  return async (input, init) => {
    if (init.mode === 'no-cors') {
      probes.push(new URL(input).pathname)
      if (reachable) return exports.default.fetch(new Request(input))
    }
    throw new TypeError('Failed to fetch')
  }
}

const client = (fetch: FetchLike, baseUrl = BASE) =>
  createSessionClient({ baseUrl, fetch, tabChannel: false })

describe('a failed call from another origin', () => {
  it('is cors_refused, naming ALLOWED_ORIGINS, when the service is reachable', async () => {
    pageAt('https://page.example')
    const probes: string[] = []
    const error = await caught(client(browserFetch(probes)).me())
    expect([error.status, error.code]).toEqual([0, 'cors_refused'])
    expect(error.message).toContain('ALLOWED_ORIGINS')
    expect(probes).toEqual(['/healthz'])
  })

  it('is network_error when the service does not answer at all', async () => {
    pageAt('https://page.example')
    const probes: string[] = []
    const error = await caught(client(browserFetch(probes, false)).me())
    expect(error.code).toBe('network_error')
    expect(probes).toEqual(['/healthz'])
  })

  it('is network_error with no probe on the service’s own origin, where CORS never applies', async () => {
    pageAt(BASE)
    const probes: string[] = []
    const error = await caught(client(browserFetch(probes)).me())
    expect(error.code).toBe('network_error')
    expect(probes).toEqual([])
  })
})

describe('the probe the SDK sends', () => {
  it('finds /healthz readable by any origin, while the API stays same-origin', async () => {
    const health = await api('/healthz')
    expect(health.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin')
    const me = await api('/v1/me')
    expect(me.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin')
  })
})

describe('cookie transport across sites', () => {
  it('warns once, in development, when the page on localhost calls 127.0.0.1', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    pageAt('http://localhost:5173')
    client(browserFetch([]), 'http://127.0.0.1:8787')
    client(browserFetch([]), 'http://127.0.0.1:8787')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toMatch(/different sites[\s\S]*SameSite=Lax[\s\S]*'token'/)
  })

  it('does not warn for token transport, the same site, or outside development', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    pageAt('http://localhost:5174')
    createSessionClient({ baseUrl: 'http://127.0.0.1:8788', transport: 'token', tabChannel: false })
    client(browserFetch([]), 'http://localhost:8788')
    pageAt('https://app.example.com')
    client(browserFetch([]), 'https://auth.example.com')
    client(browserFetch([]), 'https://auth.other.example')
    expect(warn).not.toHaveBeenCalled()
  })
})
