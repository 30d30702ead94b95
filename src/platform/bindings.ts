/**
 * The Worker's bindings type: the raw bindings and variables (src/platform/config.ts) and the session
 * object's namespace. One of the three modules that may name the object's class.
 */
import type { SessionDO } from '../../durable-objects/session'
import type { Bindings } from './config'

export interface Env extends Bindings {
  SESSIONS: DurableObjectNamespace<SessionDO>
}
