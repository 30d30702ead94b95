/** The way to a session's Durable Object: the sid alone routes to it. */
import type { Runtime } from '../../platform/runtime'
import type { SessionObjectApi } from './api'

/**
 * The session's Durable Object, typed by its RPC surface. The namespace is untyped in the
 * platform's bindings (they sit below the object), so this is the one place that names its type.
 */
export function sessionStub(
  rt: Pick<Runtime, 'sessions'>,
  sessionId: string,
): DurableObjectStub<SessionObjectApi> {
  return rt.sessions.get(rt.sessions.idFromName(sessionId)) as DurableObjectStub<SessionObjectApi>
}
