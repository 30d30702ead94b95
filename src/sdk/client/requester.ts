/**
 * The SDK's HTTP core: sends a call with the session's credentials, keeps the token pair current,
 * runs at most one refresh at a time per client, and retries a call once after a 401. Cookie
 * transport leaves the credentials to the browser (HttpOnly cookies that no script can read);
 * token transport carries them itself.
 */
import { refusedByCors } from './cross-origin'
import { clientError, errorFromResponse, type ClientErrorCode } from './errors'
import type { TokenStore } from './token-store'
import type { Tokens } from './types'
import { CODE, CLIENT_CODE } from '../../contract/error-codes'

/** `cookie` (browsers, the default) or `token` (`X-Session-Transport: token`, bearer tokens). */
export type Transport = 'cookie' | 'token'

/** `RequestInit` with the browser's `credentials` and `mode`, which the Workers types leave out. */
export type ClientRequestInit = RequestInit & {
  credentials?: 'include' | 'omit' | 'same-origin'
  mode?: 'cors' | 'no-cors' | 'same-origin' | 'navigate'
}

/** The part of `fetch` the SDK uses; pass one to route requests elsewhere (a test, a service binding). */
export type FetchLike = (input: string, init: ClientRequestInit) => Promise<Response>

/** What a refresh learned about the session, for the client's change listeners. */
export type RefreshOutcome =
  | { type: 'refreshed' }
  /** Another tab's sign-in replaced the credentials this refresh sent; the new ones are in use. */
  | { type: 'superseded' }
  /** The server ended the session; the credentials are dropped. */
  | { type: 'revoked'; code: ClientErrorCode }

export interface RequesterOptions {
  baseUrl: string
  transport: Transport
  fetch: FetchLike
  store: TokenStore
  /** Told after each refresh that changed something (not one a sign-in overtook). */
  onRefresh?: ((outcome: RefreshOutcome) => void) | undefined
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  query?: Record<string, string | number | undefined>
  body?: unknown
  /** The answer hands out a new or rotated session (sign-ins, refresh, a new anonymous session). */
  issuesSession?: boolean
  /**
   * Sign-ins and link requests: token transport adds this session's refresh token to the body,
   * the proof the server asks for before merging (cookie transport sends the session cookie).
   */
  provesSession?: boolean
}

/** The core the public client is built on. */
export interface Requester {
  call<T>(options: CallOptions): Promise<T>
  /** Rotates the session now; concurrent callers share one request. */
  refresh(): Promise<void>
  /** Token transport: drops the stored pair (after a logout). Cookie transport: nothing to drop. */
  forget(): Promise<void>
  /** Token transport: the stored access token, refreshed first when it is about to expire. */
  accessToken(): Promise<string | undefined>
  /** A number that changes whenever new credentials arrive (a sign-in, a refresh, a sign-out). */
  credentialsVersion(): number
}

// The server's `TRANSPORT_HEADER`, repeated so that no server module is bundled for the browser.
const TRANSPORT_HEADER = 'X-Session-Transport'
/**
 * D1's bookmark for reads near the user: a token client carries it back so a replica serves its
 * reads only once it holds the client's own writes (browsers carry it in a cookie). An empty value
 * from the server means drop it.
 */
const BOOKMARK_HEADER = 'X-Read-Bookmark'
// A 401 that a refresh cannot cure: retrying a wrong password would also count as a second failure,
// and a refused passkey has used its challenge.
const NOT_ABOUT_THE_SESSION = new Set<string>([CODE.invalid_credentials, CODE.passkey_rejected])
// Refresh a little before the server would refuse the access token, so that clock skew and the
// request's own travel time do not cost a 401 round trip.
const EXPIRY_MARGIN_MS = 5_000

/** Builds the core for one client; the single-flight refresh is per client (per tab). */
export function createRequester({
  baseUrl,
  transport,
  fetch,
  store,
  onRefresh = () => undefined,
}: RequesterOptions): Requester {
  const root = baseUrl.replace(/\/+$/, '')
  // Bumped whenever new credentials arrive: a call that failed with older ones retries with the
  // new ones instead of starting a refresh of its own.
  let generation = 0
  let refreshing: Promise<void> | null = null
  // The newest read bookmark the service handed this token client (see BOOKMARK_HEADER).
  let readBookmark: string | null = null

  const urlFor = ({ path, query }: CallOptions) => {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined) params.set(name, String(value))
    const search = params.toString()
    return `${root}${path}${search ? `?${search}` : ''}`
  }

  async function transmit(url: string, init: ClientRequestInit): Promise<Response> {
    try {
      const res = await fetch(url, init)
      if (transport === 'token') {
        const bookmark = res.headers.get(BOOKMARK_HEADER)
        if (bookmark !== null) readBookmark = bookmark || null
      }
      return res
    } catch (cause) {
      const cors = await refusedByCors(url, `${root}/healthz`, fetch)
      throw clientError(0, cors ? CLIENT_CODE.cors_refused : CLIENT_CODE.network_error, { cause })
    }
  }

  /** Takes in the credentials an answer hands out: the token pair, or new cookies. */
  async function absorb(body: unknown, issuesSession: boolean): Promise<void> {
    if (transport === 'cookie') {
      if (issuesSession) generation++
      return
    }
    const tokens = (body as { tokens?: Tokens } | null)?.tokens
    if (!tokens) return
    await store.save({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: Date.now() + tokens.expiresIn * 1000,
    })
    generation++
  }

  /** The access token to send, refreshed first when it has expired. */
  async function currentAccessToken(): Promise<string | undefined> {
    const seen = generation
    const tokens = await store.load()
    if (!tokens || tokens.accessExpiresAt - EXPIRY_MARGIN_MS > Date.now())
      return tokens?.accessToken
    if (generation === seen) await refresh()
    return (await store.load())?.accessToken
  }

  async function send(options: CallOptions): Promise<{ res: Response; sentWith: number }> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body = options.body
    if (options.provesSession && transport === 'token') {
      const tokens = await store.load()
      if (tokens) body = { ...(body as object), refreshToken: tokens.refreshToken }
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const init: ClientRequestInit = { method: options.method, headers }
    // Set only when there is one: under exactOptionalPropertyTypes `body: undefined` is not a body.
    if (body !== undefined) init.body = JSON.stringify(body)
    if (transport === 'cookie') {
      init.credentials = 'include'
    } else {
      // A session cookie beside token transport is refused: never send cookies with tokens.
      init.credentials = 'omit'
      headers[TRANSPORT_HEADER] = 'token'
      const accessToken = await currentAccessToken()
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`
      if (readBookmark) headers[BOOKMARK_HEADER] = readBookmark
    }
    const sentWith = generation
    return { res: await transmit(urlFor(options), init), sentWith }
  }

  const parse = (res: Response): Promise<unknown> =>
    res.json().catch((cause: unknown) => {
      throw clientError(res.status, CLIENT_CODE.invalid_response, {
        cause,
      })
    })

  async function read<T>(res: Response, issuesSession: boolean): Promise<T> {
    if (!res.ok) throw await errorFromResponse(res)
    if (res.status === 204) return undefined as T
    const body = await parse(res)
    await absorb(body, issuesSession)
    return body as T
  }

  async function runRefresh(): Promise<void> {
    const started = generation
    const sent = transport === 'token' ? await store.load() : null
    if (transport === 'token' && !sent) throw clientError(401, CODE.invalid_refresh_token)
    const headers: Record<string, string> = { Accept: 'application/json' }
    const init: ClientRequestInit = { method: 'POST', headers }
    if (sent) {
      init.credentials = 'omit'
      headers[TRANSPORT_HEADER] = 'token'
      headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify({ refreshToken: sent.refreshToken })
    } else {
      init.credentials = 'include'
    }
    const res = await transmit(`${root}/v1/auth/refresh`, init)
    const body = res.ok ? await parse(res) : null
    const error = res.ok ? null : await errorFromResponse(res)
    // A sign-in that answered while this refresh was out has the newer credentials: keep those.
    if (generation !== started) return
    if (!error) {
      await absorb(body, true)
      return onRefresh({ type: 'refreshed' })
    }
    if (transport === 'cookie') {
      // The browser already holds the cookies of a sign-in from another tab: use them.
      if (error.code === CODE.refresh_token_superseded) {
        generation++
        return onRefresh({ type: 'superseded' })
      }
      if (error.status === 401) onRefresh({ type: 'revoked', code: error.code })
      throw error
    }
    const now = await store.load()
    if (now && now.refreshToken !== sent?.refreshToken) {
      // Another tab sharing the store refreshed or signed in meanwhile: its pair is current.
      generation++
      return onRefresh({ type: 'superseded' })
    }
    // Revoked, expired, reused, or superseded by a sign-in whose answer never arrived: either way
    // this pair can no longer be used, and dropping it lets me() start afresh.
    if (error.status === 401) {
      await store.save(null)
      onRefresh({ type: 'revoked', code: error.code })
    }
    throw error
  }

  function refresh(): Promise<void> {
    refreshing ??= runRefresh().finally(() => {
      refreshing = null
    })
    return refreshing
  }

  async function canRefresh(): Promise<boolean> {
    // Cookie transport cannot see its HttpOnly session cookie, so it always tries.
    return transport === 'cookie' || (await store.load()) !== null
  }

  return {
    refresh,
    accessToken: currentAccessToken,
    credentialsVersion: () => generation,
    async call<T>(options: CallOptions): Promise<T> {
      const issuesSession = options.issuesSession ?? false
      const first = await send(options)
      if (first.res.status !== 401) return read<T>(first.res, issuesSession)
      const error = await errorFromResponse(first.res)
      if (NOT_ABOUT_THE_SESSION.has(error.code) || !(await canRefresh())) throw error
      // Only if no newer credentials arrived since this call went out; else just retry with them.
      if (generation === first.sentWith) await refresh()
      const second = await send(options)
      return read<T>(second.res, issuesSession)
    },
    async forget() {
      if (transport === 'token') await store.save(null)
      generation++
    },
  }
}
