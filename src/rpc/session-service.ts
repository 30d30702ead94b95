/**
 * The RPC entrypoint another Worker reaches over a service binding
 * (`services = [{ binding = "AUTH", service = "edge-session", entrypoint = "SessionService" }]`).
 * Arguments come from another Worker, so each is checked before any lookup, exactly as a path
 * parameter would be; answers are plain data (structured-clonable), never stubs.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { looksLikeJwt } from '../platform/tokens/access-token'
import {
  checkSessionIsLive,
  revokeSessionById,
  sessionStub,
  verifyAccessTokenAtEdge,
} from '../session'
import type { Env } from '../platform/bindings'
import type * as Contract from '../contract/api'
import type { SessionServiceApi } from '../contract/rpc'
import { findUser } from '../platform/db/users'
import type { RequestMeta } from '../platform/shared-types'
import { ID_PATTERNS, USER_ID_PATTERN } from '../platform/ids'
import { readyRuntimeFor } from '../platform/runtime-cache'
import * as oauth from './oauth'
import { toUser } from '../platform/openapi/views'
import { recordAuditEvent } from '../platform/audit/audit-log'

export type { TokenInfo, User, VerifyOptions } from '../contract/api'

// An anonymous user is merged into an account once and accounts are never merged, so one hop is
// the norm; the bound only guards against a loop in corrupt data.
const MAX_MERGE_HOPS = 4

// An RPC call has no client address, user agent or country to record in the audit event.
const RPC_META: RequestMeta = { ip: null, userAgent: null, country: null }

/** Session and user operations for Workers bound to this one; same checks as the HTTP API. */
export class SessionService extends WorkerEntrypoint<Env> implements SessionServiceApi {
  /**
   * The claims of a valid access token, or null: the HTTP fast path's checks (signature, `typ`,
   * `iss`, `aud`, expiry, kill switch) with this isolate's cached keys, so no I/O once warm.
   * With `{ fresh: true }` the session must also still be live in its object: revocation and
   * sign-in are seen at once, as on the service's own `fresh` routes.
   * @example await env.AUTH.verify(token, { fresh: true }) // before reading or changing a secret
   */
  async verify(
    token: string,
    options?: Contract.VerifyOptions,
  ): Promise<Contract.TokenInfo | null> {
    if (typeof token !== 'string' || !looksLikeJwt(token)) return null
    const rt = await readyRuntimeFor(this.env)
    const verified = await verifyAccessTokenAtEdge(rt, token)
    if (!verified.ok) return null
    // Options come from another Worker: anything but `{ fresh: true }` is the plain check.
    const fresh = typeof options === 'object' && options !== null && options.fresh === true
    if (fresh && !(await checkSessionIsLive(rt, verified.claims))) return null
    const { sub, sid, anon, role, iat, exp } = verified.claims
    return { sub, sid, anon, role, iat, exp }
  }

  /** A user by id, or null; a merged (tombstoned) anonymous user is gone, so it is null too. */
  async getUser(id: string): Promise<Contract.User | null> {
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return null
    const row = await findUser((await readyRuntimeFor(this.env)).db, id)
    return row && !row.mergedInto ? toUser(row) : null
  }

  /**
   * The user an id stands for now: an anonymous user merged into an account resolves to the
   * account (so a Worker can move what it keyed by `anon_…`), any other user to itself; null for
   * an unknown, malformed or erased id. A merge is followed while its tombstone is kept (30 days).
   */
  async resolveUser(id: string): Promise<Contract.User | null> {
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return null
    const { db } = await readyRuntimeFor(this.env)
    let row = await findUser(db, id)
    for (let hops = 0; row?.mergedInto && hops < MAX_MERGE_HOPS; hops++) {
      row = await findUser(db, row.mergedInto)
    }
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

  /**
   * The OAuth state kept for `userId` and server `serverId` (the MCP SDK's `OAuthClientProvider`
   * storage, as `/v1/oauth` keeps it for the user): tokens, client information and the
   * authorization in progress. The library's `createRemoteOAuthProvider` is built on these.
   */
  async getOAuth(userId: string, serverId: string): Promise<Contract.OAuthRecord | null> {
    return oauth.getOAuth(await readyRuntimeFor(this.env), userId, serverId)
  }

  async saveOAuthTokens(
    userId: string,
    serverId: string,
    tokens: Contract.StoredTokens,
    options?: { clearPending?: boolean },
  ): Promise<Contract.OAuthWriteResult> {
    const rt = await readyRuntimeFor(this.env)
    return oauth.writeResult(() => oauth.saveTokens(rt, userId, serverId, tokens, options))
  }

  async saveOAuthClient(
    userId: string,
    serverId: string,
    client: Contract.StoredClient,
  ): Promise<Contract.OAuthWriteResult> {
    const rt = await readyRuntimeFor(this.env)
    return oauth.writeResult(() => oauth.saveClient(rt, userId, serverId, client))
  }

  async saveOAuthPending(
    userId: string,
    serverId: string,
    pending: Contract.PendingAuthorization,
  ): Promise<Contract.OAuthWriteResult> {
    const rt = await readyRuntimeFor(this.env)
    return oauth.writeResult(() => oauth.savePending(rt, userId, serverId, pending))
  }

  async saveOAuthDiscovery(
    userId: string,
    serverId: string,
    discovery: Contract.StoredDiscoveryState,
  ): Promise<Contract.OAuthWriteResult> {
    const rt = await readyRuntimeFor(this.env)
    return oauth.writeResult(() => oauth.saveDiscovery(rt, userId, serverId, discovery))
  }

  async clearOAuth(
    userId: string,
    serverId: string,
    scope: Contract.OAuthClearScope,
  ): Promise<Contract.OAuthWriteResult> {
    const rt = await readyRuntimeFor(this.env)
    return oauth.writeResult(() => oauth.clearOAuth(rt, userId, serverId, scope))
  }
}
