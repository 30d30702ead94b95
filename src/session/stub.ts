/** The way to a session's Durable Object: the sid alone routes to it. */
import type { Runtime } from '../platform/runtime'

/** The session's Durable Object; the sid alone routes to it. */
export function sessionStub(rt: Pick<Runtime, 'sessions'>, sessionId: string) {
  return rt.sessions.get(rt.sessions.idFromName(sessionId))
}
