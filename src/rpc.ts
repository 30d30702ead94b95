/**
 * The RPC entrypoint another Worker reaches over a service binding
 * (`services = [{ binding = "AUTH", service = "edge-session", entrypoint = "SessionService" }]`).
 * Arguments come from another Worker, so each is checked before any lookup, exactly as a path
 * parameter would be; answers are plain data (structured-clonable), never stubs.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { looksLikeJwt, type AccessClaims } from './auth/access-token'
import { verifyAccessTokenAtEdge } from './auth/user-context'
import type { Env } from './config'
import { findUser } from './db/users'
import type { RequestMeta } from './http/request-meta'
import { ID_PATTERNS, USER_ID_PATTERN } from './ids'
import { sessionStub } from './runtime'
import { readyRuntimeFor } from './runtime-cache'
import { toUser } from './schemas'
import { recordAuditEvent } from './services/audit'
import { revokeSessionById } from './services/sessions'

/** The verified claims of an access token: what `GET /v1/auth/token-info` answers. */
export type TokenInfo = Pick<AccessClaims, 'sub' | 'sid' | 'anon' | 'role' | 'iat' | 'exp'>

/** The contract's `User`. */
export type User = ReturnType<typeof toUser>

// An RPC call has no client address, user agent or country to record in the audit event.
const RPC_META: RequestMeta = { ip: null, userAgent: null, country: null }

/** Session and user operations for Workers bound to this one; same checks as the HTTP API. */
export class SessionService extends WorkerEntrypoint<Env> {
  /**
   * The claims of a valid access token, or null: the HTTP fast path's checks (signature, `typ`,
   * `iss`, `aud`, expiry, kill switch) with this isolate's cached keys, so no I/O once warm.
   */
  async verify(token: string): Promise<TokenInfo | null> {
    if (typeof token !== 'string' || !looksLikeJwt(token)) return null
    const verified = await verifyAccessTokenAtEdge(await readyRuntimeFor(this.env), token)
    if (!verified.ok) return null
    const { sub, sid, anon, role, iat, exp } = verified.claims
    return { sub, sid, anon, role, iat, exp }
  }

  /** A user by id, or null; a merged (tombstoned) anonymous user is gone, so it is null too. */
  async getUser(id: string): Promise<User | null> {
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return null
    const row = await findUser((await readyRuntimeFor(this.env)).db, id)
    return row && !row.mergedInto ? toUser(row) : null
  }

  /**
   * Ends a live session (its Durable Object and D1 row, audited as `session.revoked`); true if it
   * was live, false if it was unknown, expired or already revoked.
   */
  async revokeSession(id: string): Promise<boolean> {
    if (typeof id !== 'string' || !ID_PATTERNS.sess.test(id)) return false
    const rt = await readyRuntimeFor(this.env)
    const now = Date.now()
    // The session's object is the authority on whether its token still works (D1's expiry can lag
    // it by a touch interval), and it knows whose session it is for the audit event.
    const live = await sessionStub(rt, id).status(now)
    if (!live) return false
    await revokeSessionById(rt, id, now)
    await recordAuditEvent(
      rt.db,
      { type: 'session.revoked', userId: live.userId, sessionId: id, detail: { via: 'rpc' } },
      RPC_META,
      now,
    )
    return true
  }
}
