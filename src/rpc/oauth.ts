/**
 * OAuth client state over RPC: what the library's remote `OAuthClientProvider` stores for a
 * consumer Worker, per (user, server), through the same store and checks as `/v1/oauth`. The
 * caller names the user (a service binding is a grant of that trust, as for `revokeSession`), so
 * the user must exist and not have been merged away: writes for anyone else would be orphans.
 */
import { z } from 'zod'
import type {
  OAuthClearScope,
  OAuthRecord,
  OAuthWriteResult,
  PendingAuthorization,
} from '../contract/api'
import { findUser, insertUserQuery } from '../platform/db/users'
import { AppError, invalidRequest } from '../platform/errors'
import { ID_PATTERNS, USER_ID_PATTERN } from '../platform/ids'
import {
  OAUTH_SCOPES,
  OAuthClientSchema,
  OAuthTokensSchema,
  PKCE_VERIFIER_PATTERN,
  clearOAuthRecord,
  isServerId,
  readOAuthClient,
  readOAuthDiscovery,
  readOAuthTokens,
  readPendingAuthorization,
  saveOAuthClient,
  saveOAuthDiscovery,
  saveOAuthTokens,
  savePendingAuthorization,
  type OAuthRecordKey,
} from '../user-data'
import type { Runtime } from '../platform/runtime'
import { CODE } from '../contract/error-codes'

const PendingSchema = z.object({
  verifier: z.string().regex(PKCE_VERIFIER_PATTERN, 'verifier: must be an RFC 7636 verifier'),
  state: z.string().min(1).max(512).nullable(),
})

// The SDK's OAuthDiscoveryState: the server's URL is what it needs; the metadata objects it
// fetched are kept as they came (they are checked by the SDK's own schemas when it read them).
const DiscoverySchema = z.looseObject({
  authorizationServerUrl: z.url('authorizationServerUrl: must be a URL'),
  resourceMetadataUrl: z.url('resourceMetadataUrl: must be a URL').optional(),
  authorizationServerMetadata: z.looseObject({}).optional(),
  resourceMetadata: z.looseObject({}).optional(),
})

/** The record key from RPC arguments, both checked before any lookup. */
function recordKey(userId: unknown, serverId: unknown): OAuthRecordKey {
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId))
    throw invalidRequest('userId: must be a user id (anon_… or usr_…)')
  if (typeof serverId !== 'string' || !isServerId(serverId))
    throw invalidRequest(
      'serverId: must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"',
    )
  return { userId, serverId }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success)
    throw invalidRequest(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}

/**
 * Writes need a live user: not merged into an account (resolve it first), and not an unknown
 * account. An anonymous id with no row is a visitor whose session is still only issued (nothing
 * stored until it comes back, issue #12): its first data write makes its user row, as a first
 * write over HTTP does, so a consumer can connect an MCP server for a first-time visitor.
 */
async function writableKey(rt: Runtime, userId: unknown, serverId: unknown) {
  const key = recordKey(userId, serverId)
  let user = await findUser(rt.db, key.userId)
  if (!user && ID_PATTERNS.anon.test(key.userId)) {
    const now = Date.now()
    await insertUserQuery(rt.db, {
      id: key.userId,
      isAnonymous: true,
      role: 'user',
      createdAt: now,
      lastSeenAt: now,
    }).onConflictDoNothing()
    user = await findUser(rt.db, key.userId)
  }
  if (!user || user.mergedInto)
    throw new AppError(
      404,
      CODE.not_found,
      'No such user: unknown, erased or merged (see resolveUser).',
    )
  return key
}

/**
 * Runs a write and answers how it ended: an `AppError` (bad input, unknown user) becomes a
 * refusal the caller reads, since an exception thrown across RPC is reported as uncaught here too.
 */
export async function writeResult(write: () => Promise<void>): Promise<OAuthWriteResult> {
  try {
    await write()
    return { ok: true }
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return { ok: false, code: error.code, message: error.message }
  }
}

/** The record, or null when an id is malformed (as `getUser` answers null for one). */
export async function getOAuth(
  rt: Runtime,
  userId: unknown,
  serverId: unknown,
): Promise<OAuthRecord | null> {
  let key: OAuthRecordKey
  try {
    key = recordKey(userId, serverId)
  } catch {
    return null
  }
  const now = Date.now()
  const [tokens, client, pending, discovery] = await Promise.all([
    readOAuthTokens(rt, key),
    readOAuthClient(rt, key),
    readPendingAuthorization(rt, key, now),
    readOAuthDiscovery(rt, key),
  ])
  return { tokens, client, pending, discovery }
}

export async function saveTokens(
  rt: Runtime,
  userId: unknown,
  serverId: unknown,
  tokens: unknown,
  options: unknown,
): Promise<void> {
  const key = await writableKey(rt, userId, serverId)
  const now = Date.now()
  await saveOAuthTokens(rt, key, parse(OAuthTokensSchema, tokens, 'tokens'), now)
  const clearPending =
    typeof options === 'object' &&
    options !== null &&
    'clearPending' in options &&
    options.clearPending === true
  // RFC 7636 §4.5: the verifier has done its one job once the code is exchanged.
  if (clearPending) await clearOAuthRecord(rt, key, 'verifier', now)
}

export async function saveClient(rt: Runtime, userId: unknown, serverId: unknown, client: unknown) {
  const key = await writableKey(rt, userId, serverId)
  await saveOAuthClient(rt, key, parse(OAuthClientSchema, client, 'client'), Date.now())
}

export async function savePending(
  rt: Runtime,
  userId: unknown,
  serverId: unknown,
  pending: unknown,
) {
  const key = await writableKey(rt, userId, serverId)
  const value: PendingAuthorization = parse(PendingSchema, pending, 'pending')
  await savePendingAuthorization(rt, key, value, Date.now())
}

export async function saveDiscovery(
  rt: Runtime,
  userId: unknown,
  serverId: unknown,
  discovery: unknown,
) {
  const key = await writableKey(rt, userId, serverId)
  await saveOAuthDiscovery(rt, key, parse(DiscoverySchema, discovery, 'discovery'), Date.now())
}

export async function clearOAuth(rt: Runtime, userId: unknown, serverId: unknown, scope: unknown) {
  const key = recordKey(userId, serverId)
  if (!OAUTH_SCOPES.includes(scope as OAuthClearScope))
    throw invalidRequest(`scope: must be one of ${OAUTH_SCOPES.join(', ')}`)
  await clearOAuthRecord(rt, key, scope as OAuthClearScope, Date.now())
}
