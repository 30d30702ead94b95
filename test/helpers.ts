/** Test helpers: requests through the real Worker entry, a cookie jar, and token sessions. */
import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import type { SessionDO } from '../durable-objects/session'
import { createApp } from '../src/app'
import { createRuntime, limitBindingsOf } from '../src/platform/runtime'
import type { SessionEvent } from '../src/contract/events'
import { createLimiters } from '../src/platform/limits/rate-limits'
import type { SessionClient, SignIn } from '../src/sdk/client'

export const BASE = 'https://auth.test'
export const APP_ORIGIN = 'https://app.example.com'
export const TOKEN_TRANSPORT = { 'X-Session-Transport': 'token' } as const

export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init))
}

export function runtime() {
  return createRuntime(env)
}

export interface TokenSession {
  userId: string
  sessionId: string
  accessToken: string
  refreshToken: string
}

/** A new anonymous session over token transport. */
export async function createTokenSession(): Promise<TokenSession> {
  const res = await api('/v1/sessions/anonymous', { method: 'POST', headers: TOKEN_TRANSPORT })
  expect(res.status).toBe(201)
  const body = await res.json<{
    user: { id: string }
    session: { id: string }
    tokens: { accessToken: string; refreshToken: string }
  }>()
  return { userId: body.user.id, sessionId: body.session.id, ...body.tokens }
}

/**
 * A new anonymous session that has come back once (its first refresh), so it is materialised:
 * its user and session rows and its object exist. `createTokenSession` alone stores nothing.
 */
export async function createStoredSession(): Promise<TokenSession> {
  const issued = await createTokenSession()
  const res = await refreshWithToken(issued.refreshToken)
  expect(res.status).toBe(200)
  const { tokens } = await res.json<{ tokens: { accessToken: string; refreshToken: string } }>()
  return { ...issued, ...tokens }
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` }
}

export function refreshWithToken(refreshToken: string): Promise<Response> {
  return api('/v1/auth/refresh', {
    method: 'POST',
    headers: { ...TOKEN_TRANSPORT, 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  })
}

/** Asserts the contract's error shape and returns the code. */
export async function expectError(res: Response, status: number, code?: string): Promise<string> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/application\/json/)
  const body = await res.json<{ error: { code: string; message: string } }>()
  expect(body.error.message.length).toBeGreaterThan(0)
  if (code) expect(body.error.code).toBe(code)
  return body.error.code
}

/** A browser-like cookie jar: keeps what Set-Cookie says, sends it back. */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  store(res: Response): string[] {
    const lines = res.headers.getSetCookie()
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || value === ''
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return lines
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** A request through the Worker with these cookies and, for unsafe methods, the app's Origin. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('Cookie', this.header())
    if (init.method && init.method !== 'GET' && !headers.has('Origin'))
      headers.set('Origin', APP_ORIGIN)
    const res = await api(path, { ...init, headers })
    this.store(res)
    return res
  }
}

export const uniqueEmail = () => `u-${crypto.randomUUID()}@example.com`

/** Headers for a JSON request in token transport, with any extra ones. */
export const jsonHeaders = (headers: Record<string, string> = {}) => ({
  ...TOKEN_TRANSPORT,
  'Content-Type': 'application/json',
  ...headers,
})

/** The `n` of a `select count(*) as n …` query, straight from D1. */
export async function countRows(sql: string, ...binds: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n
}

/** What register, login and magic-link verify answer in token transport. */
export interface SignInBody {
  user: { id: string; email: string | null; isAnonymous: boolean; role: string }
  session: { id: string }
  merge: {
    from: string
    into: string
    moved: Record<string, number>
    conflicts: Array<{ kind: string; key: string }>
  } | null
  tokens: { accessToken: string; refreshToken: string }
}

/**
 * A sign-in request in token transport (register, login, magic-link verify or code, link request).
 * `from` is the session it comes from: its refresh token rides in the body, the proof the service
 * asks for before an anonymous session's data merges (the SDK does the same).
 */
export function postAuth(path: string, body: Record<string, unknown>, from?: TokenSession) {
  return post(
    path,
    from ? { ...body, refreshToken: from.refreshToken } : body,
    from ? bearer(from.accessToken) : {},
  )
}

/** A JSON POST in token transport, with any extra headers. */
export function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return api(path, { method: 'POST', headers: jsonHeaders(headers), body: JSON.stringify(body) })
}

/** The address `wrangler dev` reports for a request from this machine; the dev outbox needs it. */
export const LOOPBACK = { 'CF-Connecting-IP': '127.0.0.1' } as const

export interface OutboxMessage {
  to: string
  subject: string
  text: string
  link: string
  token: string
}

/** The dev outbox's mail for `email`, newest first (read as a loopback client). */
export async function readOutbox(email: string): Promise<OutboxMessage[]> {
  const res = await api(`/v1/dev/outbox?to=${encodeURIComponent(email)}`, { headers: LOOPBACK })
  expect(res.status).toBe(200)
  return (await res.json<{ messages: OutboxMessage[] }>()).messages
}

/** Requests a sign-in link for `email` (from `from`, if given) and returns its mailed token. */
export async function mailedLinkToken(email: string, from?: TokenSession): Promise<string> {
  expect((await postAuth('/v1/auth/magic-link', { email }, from)).status).toBe(202)
  const [newest] = await readOutbox(email)
  expect(newest!.subject).toBe('Your sign-in link')
  return newest!.token
}

/** The code mailed beside the newest sign-in link for `email`. */
export async function mailedLinkCode(email: string): Promise<string> {
  const [newest] = await readOutbox(email)
  const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(newest!.text)?.[1]
  expect(code).toBeDefined()
  return code!
}

/** The Worker's app with the rate-limit bindings off, for tests that sign in many times at once. */
export async function unlimitedApi() {
  const rt = await createRuntime(env)
  const app = await createApp({
    ...rt,
    limits: createLimiters(
      limitBindingsOf(env),
      { ...rt.settings, RATE_LIMITS: false },
      rt.analytics,
    ),
  })
  return (path: string, init: RequestInit) => app.request(`${BASE}${path}`, init, env)
}

/** The token session a sign-in answer hands out. */
export const sessionOf = (body: SignInBody): TokenSession => ({
  userId: body.user.id,
  sessionId: body.session.id,
  ...body.tokens,
})

export type ReceivedEvent = SessionEvent & { attempts: number }

/**
 * Waits until the events consumer Worker (vitest.config.ts) has received events matching `match`
 * from the real local queue (queues are async).
 */
export async function receivedBy(
  match: (e: ReceivedEvent) => boolean,
  count = 1,
): Promise<ReceivedEvent[]> {
  for (let i = 0; i < 100; i++) {
    const res = await env.EVENTS_CONSUMER.fetch('https://events.test/events')
    const found = (await res.json<ReceivedEvent[]>()).filter(match)
    if (found.length >= count) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the consumer received no matching event within 5 s')
}

/** An anonymous token session holding one document. */
export async function anonymousWithDocument(): Promise<TokenSession> {
  const anon = await createTokenSession()
  const res = await api('/v1/documents', {
    method: 'POST',
    headers: jsonHeaders(bearer(anon.accessToken)),
    body: JSON.stringify({ title: 'mine', content: 'private notes' }),
  })
  expect(res.status).toBe(201)
  return anon
}

/**
 * The session's object typed by its class, for tests that reach inside it (the Worker's bindings
 * type the namespace loosely: only src/session/object/stub.ts names the object's RPC surface).
 */
export const sessionObject = (sessionId: string) =>
  env.SESSIONS.get(env.SESSIONS.idFromName(sessionId)) as unknown as DurableObjectStub<SessionDO>

export type Fetcher = (path: string, init: RequestInit) => Response | Promise<Response>

/** The newest registration confirmation mailed to `email`: its link's token and its code. */
export async function mailedConfirmation(email: string): Promise<{ token: string; code: string }> {
  const [newest] = await readOutbox(email)
  expect(newest!.subject).toBe('Confirm your email')
  return { token: newest!.token, code: await mailedLinkCode(email) }
}

/**
 * An account made as a person makes one: registers from `from` (a new anonymous token session
 * when none is given), reads the confirmation from the dev outbox and confirms it from that same
 * session, which keeps the password and merges the session. Returns the confirmation's answer
 * (200, a sign-in in token transport).
 */
export async function createAccount(
  email = uniqueEmail(),
  password = 'long password 1',
  from?: Pick<TokenSession, 'accessToken' | 'refreshToken'>,
  send: Fetcher = api,
): Promise<Response> {
  const session = from ?? (await createTokenSession())
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: jsonHeaders(bearer(session.accessToken)),
    body: JSON.stringify({ ...(body as object), refreshToken: session.refreshToken }),
  })
  const registered = await send('/v1/auth/register', json({ email, password }))
  expect(registered.status).toBe(202)
  const { token } = await mailedConfirmation(email)
  return send('/v1/auth/register/confirm', json({ token }))
}

/** `createAccount` in a browser: the jar's cookies prove its session, as the demo page does. */
export async function createAccountInJar(
  jar: CookieJar,
  email = uniqueEmail(),
  password = 'long password 1',
): Promise<Response> {
  if (!jar.cookies.size) expect((await jar.fetch('/v1/me')).status).toBe(200)
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect((await jar.fetch('/v1/auth/register', json({ email, password }))).status).toBe(202)
  const { token } = await mailedConfirmation(email)
  return jar.fetch('/v1/auth/register/confirm', json({ token }))
}

/** The SDK's way to an account: `register`, then `confirmRegistration` with the mailed token. */
export async function registerWithClient(
  client: Pick<SessionClient, 'register' | 'confirmRegistration'>,
  credentials: { email: string; password: string },
): Promise<SignIn> {
  expect(await client.register(credentials)).toEqual({ sent: true })
  const { token } = await mailedConfirmation(credentials.email.trim().toLowerCase())
  return client.confirmRegistration(token)
}
