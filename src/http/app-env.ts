/** Hono's type parameters for this app: bindings and the typed context variables. */
import type { Env } from '../platform/bindings'
import type { Runtime } from '../platform/runtime'
import type { IssuedSession, UserContext } from '../platform/shared-types'

export interface AppEnv {
  Bindings: Env
  Variables: {
    rt: Runtime
    /** Set by `userContext`; null only in `optional` mode without a session. */
    user: UserContext | null
    /** The session this request created or rotated, if any (its tokens go into the answer). */
    issued: IssuedSession | null
    /** The access token's issue time (ms) when `user` came from one: an issued session's birth. */
    tokenIssuedAt: number | undefined
  }
}
