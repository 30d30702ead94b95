/**
 * A provider flow's pending request and its token-client handoff, kept in the object of the
 * session that started the flow (the challenge store passkeys use): single use, short lived, never
 * in a cookie a client could replay. `state` (and a handoff code) is `<session id>.<random>`: the
 * session id routes to the object with no lookup, the random part names the entry inside it.
 */
import { randomBytes, toBase64Url } from '../../platform/encoding'
import { ID_PATTERNS } from '../../platform/ids'
import type { Runtime } from '../../platform/runtime'
import { sessionStub } from '../../session'
import type { ProviderIdentity } from './protocols/provider'

export const PENDING_FLOW_TTL_MS = 10 * 60 * 1000
export const HANDOFF_TTL_MS = 60 * 1000

/** What the start kept for the callback. */
export interface PendingFlow {
  provider: string
  codeVerifier: string
  nonce: string
  redirectTo: string
  /** A token client's PKCE challenge for the handoff; null for a browser (cookie transport). */
  codeChallenge: string | null
  /** `sign-in`, or `link` the identity to the signed-in account. */
  intent: 'sign-in' | 'link'
}

/** A verified identity waiting for its token client to exchange the handoff code. */
export interface Handoff {
  identity: ProviderIdentity
  codeChallenge: string
  /** `link`: the identity goes to the starting account, once that account's client trades it. */
  intent: 'sign-in' | 'link'
}

export interface Taken<T> {
  sessionId: string
  /** The user the session was when the flow started. */
  userId: string
  value: T
}

const FLOW = 'provider-flow:'
const HANDOFF = 'provider-handoff:'

export async function keepFlow(
  rt: Runtime,
  session: { sessionId: string; userId: string },
  flow: PendingFlow,
  now: number,
): Promise<string> {
  return keep(rt, session, FLOW, flow, now + PENDING_FLOW_TTL_MS)
}

/** The flow `state` names, now used up; null for a forged, unknown, used or expired state. */
export function takeFlow(
  rt: Runtime,
  state: string,
  now: number,
): Promise<Taken<PendingFlow> | null> {
  return take<PendingFlow>(rt, FLOW, state, now)
}

export function keepHandoff(
  rt: Runtime,
  session: { sessionId: string; userId: string },
  handoff: Handoff,
  now: number,
): Promise<string> {
  return keep(rt, session, HANDOFF, handoff, now + HANDOFF_TTL_MS)
}

export function takeHandoff(
  rt: Runtime,
  code: string,
  now: number,
): Promise<Taken<Handoff> | null> {
  return take<Handoff>(rt, HANDOFF, code, now)
}

async function keep(
  rt: Runtime,
  session: { sessionId: string; userId: string },
  prefix: string,
  value: unknown,
  expiresAt: number,
): Promise<string> {
  const key = toBase64Url(randomBytes(32))
  await sessionStub(rt, session.sessionId).putChallenge({
    purpose: prefix + key,
    challenge: JSON.stringify(value),
    userId: session.userId,
    expiresAt,
  })
  return `${session.sessionId}.${key}`
}

async function take<T>(
  rt: Runtime,
  prefix: string,
  reference: string,
  now: number,
): Promise<Taken<T> | null> {
  const [sessionId, key, ...rest] = reference.split('.')
  if (!sessionId || !key || rest.length || !ID_PATTERNS.sess.test(sessionId)) return null
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return null
  const pending = await sessionStub(rt, sessionId).takeChallenge(prefix + key, now)
  if (!pending) return null
  return { sessionId, userId: pending.userId, value: JSON.parse(pending.challenge) as T }
}
