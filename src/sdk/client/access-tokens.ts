/**
 * `getToken()` and `fetch()` for the app's own APIs: a valid access token to send as
 * `Authorization: Bearer`, fetched at most once at a time per client. Token transport holds its
 * token already. Cookie transport's token is an HttpOnly cookie, so the page asks the service
 * (`POST /v1/auth/token`, which the browser sends with the session cookie and the service admits
 * only from its allowed origins) and keeps the answer in memory until shortly before it expires.
 */
import { SessionClientError } from './errors'
import type { CallOptions, FetchLike, Requester, Transport } from './requester'

export interface GetTokenOptions {
  /** Rotate the session first, so the token is new (after an API refused the last one). */
  forceRefresh?: boolean | undefined
}

export interface AccessTokens {
  getToken(options?: GetTokenOptions): Promise<string>
  /** `init.body` may be sent twice (after a 401), so pass a string, not a stream. */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>
}

interface AccessTokensOptions {
  transport: Transport
  requester: Requester
  fetch: FetchLike
  /** Starts a session when there is none (anonymous-first, as `me()` does). */
  startSession: () => Promise<unknown>
}

interface HandedOut {
  accessToken: string
  expiresIn: number
}

interface Cached {
  token: string
  expiresAt: number
  version: number
}

// Ask again this long before the token expires, so it does not lapse on its way to the API.
const EXPIRY_MARGIN_MS = 5_000

const HANDOUT: CallOptions = { method: 'POST', path: '/v1/auth/token' }

export function createAccessTokens({
  transport,
  requester,
  fetch,
  startSession,
}: AccessTokensOptions): AccessTokens {
  let cached: Cached | null = null
  let pending: Promise<string> | null = null

  async function fromService(): Promise<string> {
    const version = requester.credentialsVersion()
    const answer = await requester.call<HandedOut>(HANDOUT)
    // Kept only if no sign-in or sign-out overtook the call: its token may be the old user's.
    if (requester.credentialsVersion() === version)
      cached = {
        token: answer.accessToken,
        expiresAt: Date.now() + answer.expiresIn * 1000,
        version,
      }
    return answer.accessToken
  }

  async function obtain(): Promise<string> {
    if (transport === 'token') return requester.accessToken().then((token) => token ?? '')
    const fresh =
      cached &&
      cached.version === requester.credentialsVersion() &&
      cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()
    return fresh ? cached!.token : fromService()
  }

  async function obtainOrStart(): Promise<string> {
    try {
      const token = await obtain()
      if (token) return token
    } catch (error) {
      // A session that has ended (or never began) is replaced by a new anonymous one, as `me()`.
      if (!(error instanceof SessionClientError) || error.status !== 401) throw error
    }
    await startSession()
    const token = await obtain()
    if (!token) throw new Error('The service answered a session without an access token.')
    return token
  }

  async function getToken({ forceRefresh = false }: GetTokenOptions = {}): Promise<string> {
    if (forceRefresh) {
      cached = null
      await requester.refresh()
    }
    pending ??= obtainOrStart().finally(() => {
      pending = null
    })
    return pending
  }

  async function send(input: string | URL, init: RequestInit, token: string) {
    const headers = new Headers(init.headers)
    headers.set('Authorization', `Bearer ${token}`)
    return fetch(String(input), { ...init, headers })
  }

  return {
    getToken,
    async fetch(input, init = {}) {
      const first = await send(input, init, await getToken())
      if (first.status !== 401) return first
      // The API refused the token (revoked, a rotated key it had not seen): once more, fresh.
      return send(input, init, await getToken({ forceRefresh: true }))
    },
  }
}
