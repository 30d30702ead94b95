/** Hono's type parameters for this app: bindings and the typed context variables. */
import type { UserContext } from './user-context'
import type { Env } from '../config'
import type { Runtime } from '../runtime'
import type { IssuedSession } from '../services/sessions'

export interface AppEnv {
  Bindings: Env
  Variables: {
    rt: Runtime
    /** Set by `userContext`; null only in `optional` mode without a session. */
    user: UserContext | null
    /** The session this request created or rotated, if any (its tokens go into the answer). */
    issued: IssuedSession | null
  }
}
