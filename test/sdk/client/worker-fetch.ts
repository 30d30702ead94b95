/**
 * The SDK's tests' `fetch`: the real Worker through `exports.default.fetch`, so every call goes
 * through routing, the middleware, D1 and the session's Durable Object; each exchange is logged.
 */
import { exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import {
  createSessionClient,
  SessionClientError,
  type FetchLike,
  type TokenStore,
} from '../../../src/sdk/client'
import { BASE, LOOPBACK, type CookieJar } from '../../helpers'

export const PASSWORD = 'correct horse battery'

export interface Exchange {
  method: string
  path: string
  status: number
  bearer: boolean
}

/** The Worker as the SDK's `fetch` (through a cookie jar when given one), logging each exchange. */
export function workerFetch(log: Exchange[] = [], jar?: CookieJar): FetchLike {
  return async (input, init) => {
    const url = new URL(input)
    // As `wrangler dev` reports a client on this machine (the dev outbox answers only those).
    const local = { ...init, headers: { ...init.headers, ...LOOPBACK } }
    const res = jar
      ? await jar.fetch(url.pathname + url.search, local)
      : await exports.default.fetch(new Request(input, local))
    const headers = new Headers(init.headers)
    log.push({
      method: init.method ?? 'GET',
      path: url.pathname,
      status: res.status,
      bearer: headers.has('Authorization'),
    })
    return res
  }
}

/** A token-transport client on the Worker. */
export const tokenClient = (log: Exchange[] = [], tokenStore?: TokenStore) =>
  createSessionClient({ baseUrl: BASE, transport: 'token', fetch: workerFetch(log), tokenStore })

/** A cookie-transport client on the Worker, keeping its cookies in `jar` as a browser would. */
export const cookieClient = (jar: CookieJar, log: Exchange[] = []) =>
  createSessionClient({ baseUrl: BASE, fetch: workerFetch(log, jar) })

export const refreshes = (log: Exchange[]) => log.filter((e) => e.path === '/v1/auth/refresh')

/** A 401 in the contract's shape, as a refusing server would send it. */
export const refusal = () =>
  Response.json({ error: { code: 'invalid_token', message: 'Refused.' } }, { status: 401 })

/** The `SessionClientError` a promise rejects with. */
export async function caught(promise: Promise<unknown>): Promise<SessionClientError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SessionClientError)
  return error as SessionClientError
}
