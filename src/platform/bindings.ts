/**
 * The Worker's bindings type: the raw bindings and variables (src/platform/config.ts) and the session
 * object's namespace. The namespace stays untyped here, below the object: src/session/object/stub.ts
 * types each stub by the object's RPC surface (src/session/object/api.ts).
 */
import type { Bindings } from './config'

export interface Env extends Bindings {
  SESSIONS: DurableObjectNamespace<Rpc.DurableObjectBranded>
}
