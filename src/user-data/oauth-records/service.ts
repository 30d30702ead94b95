/**
 * OAuth client state per (user, server) for MCP and third-party servers: tokens, client
 * information, the PKCE verifier and the discovery state, what the MCP TypeScript SDK's
 * `OAuthClientProvider` persists. Tokens, client and verifier are JSON sealed with AES-GCM under
 * the user's own key, so a row read from D1 holds no credential in plaintext and one user's key
 * opens no other user's rows; the discovery state is public metadata and stays readable. The
 * routes, the RPC methods and `StoredOAuthClientProvider` all go through these functions.
 */
import { utf8ByteLength } from '../../platform/utf8'
import type { Db } from '../../platform/db/client'
import {
  clearOAuthValues,
  deleteOAuthRecord,
  deleteOAuthRecordsQuery,
  findOAuthRecord,
  insertOAuthRecordsQuery,
  listOAuthRecords,
  listOAuthServerIds,
  OAUTH_COLUMNS,
  OAUTH_ROW_PARAMS,
  upsertOAuthValue,
  type OAuthField,
  type OAuthRecordRow,
} from './queries'
import { AppError, tokenSuperseded } from '../../platform/errors'
import type { MergeMover } from '../mover'
import { userAcceptsWrites } from '../write-guard'
import { quotaExceeded, quotaOf, type QuotaSettings } from '../quotas'
import { oauthSlot, openValue, sealValue } from '../../platform/crypto/sealing'
import { refusal } from '../write-refusal'
import type { UserKeys } from '../../platform/crypto/user-keys'
import { CODE } from '../../contract/error-codes'

/** What the store needs; a `Runtime` is one. */
export interface OAuthStore {
  db: Db
  userKeys: UserKeys
  settings: QuotaSettings
}

/** Identifies one record: the user and the server it is for. */
export interface OAuthRecordKey {
  userId: string
  serverId: string
}

/** A PKCE verifier is good for this long after it was put (RFC 7636 leaves it to the client). */
export const VERIFIER_TTL_MS = 10 * 60 * 1000

/** The most one stored object (tokens or client information) may take, serialized as UTF-8. */
export const OAUTH_VALUE_MAX_BYTES = 16 * 1024

/** Server ids: 1 to 128 characters of `A-Z a-z 0-9 _ . : -`. */
export const SERVER_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const PKCE_VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/

export const OAUTH_SCOPES = ['all', 'client', 'tokens', 'verifier', 'discovery'] as const
/** What a scoped delete clears; the same scopes as the SDK's `invalidateCredentials`. */
export type OAuthScope = (typeof OAUTH_SCOPES)[number]

/** Tokens as the SDK's `OAuthTokens`: two fields required, every other field kept as given. */
export interface StoredOAuthTokens {
  access_token: string
  token_type: string
  [field: string]: unknown
}

/** Client information as the SDK's `OAuthClientInformation(Full)`: `client_id` and the rest kept. */
export interface StoredOAuthClient {
  client_id: string
  [field: string]: unknown
}

/** One line of `GET /v1/oauth`; times in ms. */
export interface OAuthServerSummary {
  serverId: string
  hasTokens: boolean
  hasClient: boolean
  hasVerifier: boolean
  updatedAt: number
}

/**
 * Whether `value` can name a server. `.` and `..` match the pattern but are dot segments that URL
 * parsing removes from a path, so a record under them could never be addressed over HTTP.
 */
export function isServerId(value: string): boolean {
  return SERVER_ID_PATTERN.test(value) && value !== '.' && value !== '..'
}

/** Every server this user has state for, by server id. */
export async function listOAuthServers(
  store: OAuthStore,
  userId: string,
  now: number,
): Promise<OAuthServerSummary[]> {
  const rows = await listOAuthRecords(store.db, userId)
  return rows.map((row) => ({
    serverId: row.serverId,
    hasTokens: row.tokensSealed !== null,
    hasClient: row.clientSealed !== null,
    hasVerifier: verifierLive(row, now),
    updatedAt: row.updatedAt,
  }))
}

/** The stored tokens, or null. */
export function readOAuthTokens(store: OAuthStore, key: OAuthRecordKey) {
  return readValue<StoredOAuthTokens>(store, key, 'tokens')
}

/** Stores (replaces) the tokens; 413 above `OAUTH_VALUE_MAX_BYTES`. */
export function saveOAuthTokens(
  store: OAuthStore,
  key: OAuthRecordKey,
  tokens: StoredOAuthTokens,
  now: number,
) {
  return writeValue(store, key, 'tokens', checkedSize(tokens, 'tokens object'), now)
}

/** The stored client information, or null. */
export function readOAuthClient(store: OAuthStore, key: OAuthRecordKey) {
  return readValue<StoredOAuthClient>(store, key, 'client')
}

/** Stores (replaces) the client information; 413 above `OAUTH_VALUE_MAX_BYTES`. */
export function saveOAuthClient(
  store: OAuthStore,
  key: OAuthRecordKey,
  client: StoredOAuthClient,
  now: number,
) {
  return writeValue(store, key, 'client', checkedSize(client, 'client information object'), now)
}

/**
 * An authorization in progress: the PKCE verifier and the OAuth `state` sent with it, which live
 * and expire together. Stored in the verifier's column: a plain JSON string (a verifier alone, as
 * `PUT /verifier` stores it) or this object.
 */
export interface PendingAuthorization {
  verifier: string
  state: string | null
}

/** The PKCE verifier, or null when none was put or it is older than `VERIFIER_TTL_MS`. */
export async function readOAuthVerifier(store: OAuthStore, key: OAuthRecordKey, now: number) {
  return (await readPendingAuthorization(store, key, now))?.verifier ?? null
}

/** The verifier and `state` of the authorization in progress, or null (none, or expired). */
export async function readPendingAuthorization(
  store: OAuthStore,
  key: OAuthRecordKey,
  now: number,
): Promise<PendingAuthorization | null> {
  const value = await readValue<string | PendingAuthorization>(store, key, 'verifier', now)
  if (value === null) return null
  return typeof value === 'string' ? { verifier: value, state: null } : value
}

/** Stores (replaces) the PKCE verifier, good for `VERIFIER_TTL_MS` from `now`. */
export function saveOAuthVerifier(
  store: OAuthStore,
  key: OAuthRecordKey,
  verifier: string,
  now: number,
) {
  return writeValue(store, key, 'verifier', JSON.stringify(verifier), now)
}

/** Stores (replaces) the verifier with the `state` it was sent with, for `VERIFIER_TTL_MS`. */
export function savePendingAuthorization(
  store: OAuthStore,
  key: OAuthRecordKey,
  pending: PendingAuthorization,
  now: number,
) {
  const value: PendingAuthorization = { verifier: pending.verifier, state: pending.state }
  return writeValue(store, key, 'verifier', JSON.stringify(value), now)
}

/**
 * The SDK's discovery state (`OAuthDiscoveryState`: the authorization server's URL and the two
 * metadata documents), so a later `auth()` for this (user, server) fetches neither again.
 */
export interface StoredDiscoveryState {
  authorizationServerUrl: string
  [field: string]: unknown
}

/** The stored discovery state, or null. */
export async function readOAuthDiscovery(
  store: OAuthStore,
  { userId, serverId }: OAuthRecordKey,
): Promise<StoredDiscoveryState | null> {
  const json = (await findOAuthRecord(store.db, userId, serverId))?.discoveryJson
  return json ? (JSON.parse(json) as StoredDiscoveryState) : null
}

/** Stores (replaces) the discovery state; 413 above `OAUTH_VALUE_MAX_BYTES`. */
export async function saveOAuthDiscovery(
  store: OAuthStore,
  key: OAuthRecordKey,
  state: StoredDiscoveryState,
  now: number,
): Promise<void> {
  const json = checkedSize(state, 'discovery state object')
  const quota = quotaOf(store.settings, 'oauthServers', key.userId)
  if (await upsertOAuthValue(store.db, key, 'discovery', json, now, quota.limit)) return
  throw await refusal(store.db, key.userId, now, () => quotaExceeded(quota, key.userId))
}

/** Forgets what `scope` names for one server; `all` deletes the record. Idempotent. */
export async function clearOAuthRecord(
  store: OAuthStore,
  key: OAuthRecordKey,
  scope: OAuthScope,
  now: number,
): Promise<void> {
  if (scope === 'all') await deleteOAuthRecord(store.db, key.userId, key.serverId, now)
  else await clearOAuthValues(store.db, key, [scope], now)
  // Clearing is idempotent, so "nothing changed" says nothing; only a refusal is an error.
  if (!(await userAcceptsWrites(store.db, key.userId, now))) throw tokenSuperseded()
}

/** Deletes every OAuth record of the user. */
export async function deleteAllOAuthRecords(store: OAuthStore, userId: string): Promise<void> {
  await deleteOAuthRecordsQuery(store.db, userId)
}

function verifierLive(row: OAuthRecordRow, now: number): boolean {
  return row.verifierSealed !== null && (row.verifierExpiresAt ?? 0) > now
}

async function readValue<T>(
  store: OAuthStore,
  { userId, serverId }: OAuthRecordKey,
  field: OAuthField,
  now = Date.now(),
): Promise<T | null> {
  const row = await findOAuthRecord(store.db, userId, serverId)
  const sealed = row?.[OAUTH_COLUMNS[field]]
  if (!row || !sealed) return null
  // An expired verifier stays in its row until the sweep; it is simply never handed out.
  if (field === 'verifier' && !verifierLive(row, now)) return null
  return JSON.parse(
    await openValue(store.userKeys(userId), sealed, oauthSlot(field, userId, serverId)),
  ) as T
}

async function writeValue(
  store: OAuthStore,
  key: OAuthRecordKey,
  field: OAuthField,
  json: string,
  now: number,
): Promise<void> {
  const sealed = await sealValue(
    store.userKeys(key.userId),
    json,
    oauthSlot(field, key.userId, key.serverId),
  )
  const expiresAt = field === 'verifier' ? now + VERIFIER_TTL_MS : undefined
  const quota = quotaOf(store.settings, 'oauthServers', key.userId)
  if (await upsertOAuthValue(store.db, key, field, sealed, now, quota.limit, expiresAt)) return
  throw await refusal(store.db, key.userId, now, () => quotaExceeded(quota, key.userId))
}

/** The value as JSON, refused with 413 above `OAUTH_VALUE_MAX_BYTES`. */
function checkedSize(value: object, what: string): string {
  const json = JSON.stringify(value)
  if (utf8ByteLength(json) > OAUTH_VALUE_MAX_BYTES)
    throw new AppError(
      413,
      CODE.payload_too_large,
      `The ${what} exceeds ${OAUTH_VALUE_MAX_BYTES} bytes as JSON.`,
    )
  return json
}

/**
 * Moves an anonymous user's OAuth records into the account. A server id the account already has
 * is a conflict and the account's record wins; every other record is re-sealed under the
 * account's key (it was sealed under the anonymous user's) and inserted for the account, and the
 * anonymous user's rows are deleted.
 */
export const oauthMover: MergeMover = {
  kind: 'oauth',
  async plan({ db, from, into, userKeys }) {
    const [rows, taken] = await Promise.all([
      listOAuthRecords(db, from),
      listOAuthServerIds(db, into),
    ])
    if (rows.length === 0) return { statements: [], moved: 0, conflicts: [] }
    const accountHas = new Set(taken)
    const conflicts = rows.filter((row) => accountHas.has(row.serverId)).map((row) => row.serverId)
    const moving = rows.filter((row) => !accountHas.has(row.serverId))

    const [fromKeys, intoKeys] = [userKeys(from), userKeys(into)]
    const copies = await Promise.all(
      moving.map(async (row) => {
        const reseal = async (field: OAuthField, sealed: string | null) =>
          sealed === null
            ? null
            : sealValue(
                intoKeys,
                await openValue(fromKeys, sealed, oauthSlot(field, from, row.serverId)),
                oauthSlot(field, into, row.serverId),
              )
        return {
          ...row,
          userId: into,
          tokensSealed: await reseal('tokens', row.tokensSealed),
          clientSealed: await reseal('client', row.clientSealed),
          verifierSealed: await reseal('verifier', row.verifierSealed),
        }
      }),
    )
    // Several rows a statement, within D1's 100 bound parameters.
    const perStatement = Math.floor(100 / OAUTH_ROW_PARAMS)
    const inserts = []
    for (let i = 0; i < copies.length; i += perStatement)
      inserts.push(insertOAuthRecordsQuery(db, copies.slice(i, i + perStatement)))
    return {
      statements: [...inserts, deleteOAuthRecordsQuery(db, from)],
      moved: copies.length,
      conflicts,
    }
  },
}
