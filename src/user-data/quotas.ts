/**
 * Per-user quotas: how much one user may keep. Anonymous users cost nothing to create, so without
 * limits one script could fill D1 (10 GB a database); theirs are tighter. A user id says which kind
 * a user is (`anon_…` or `usr_…`), so no lookup is needed. Limits are checked inside the write's
 * own statement (see user-data/documents/queries.ts and friends), so racing writes cannot overshoot them.
 */
import type { Settings } from '../platform/config'
import { CODE } from '../contract/error-codes'
import { AppError } from '../platform/errors'

/** What a quota counts. */
export type QuotaKind = 'documents' | 'documentBytes' | 'secrets' | 'oauthServers' | 'events'

/** The settings behind each kind: `<name>` for accounts, `<name>_ANON` for anonymous users. */
const SETTING: Record<QuotaKind, QuotaSettingName> = {
  documents: 'QUOTA_DOCUMENTS',
  documentBytes: 'QUOTA_DOCUMENT_BYTES',
  secrets: 'QUOTA_SECRETS',
  oauthServers: 'QUOTA_OAUTH_SERVERS',
  events: 'QUOTA_EVENTS',
}

type QuotaSettingName =
  | 'QUOTA_DOCUMENTS'
  | 'QUOTA_DOCUMENT_BYTES'
  | 'QUOTA_SECRETS'
  | 'QUOTA_OAUTH_SERVERS'
  | 'QUOTA_EVENTS'

export type QuotaSettings = Pick<Settings, QuotaSettingName | `${QuotaSettingName}_ANON`>

/** The quota settings alone, for a caller that hands them on (to a session object, over RPC). */
export function quotaSettingsOf(settings: QuotaSettings): QuotaSettings {
  const names = Object.values(SETTING).flatMap((name) => [name, `${name}_ANON` as const])
  return Object.fromEntries(names.map((name) => [name, settings[name]])) as QuotaSettings
}

/** One user's limit of one kind, and the setting it comes from. */
export interface Quota {
  kind: QuotaKind
  limit: number
  setting: `${QuotaSettingName}` | `${QuotaSettingName}_ANON`
}

export const isAnonymousUserId = (userId: string): boolean => userId.startsWith('anon_')

export function quotaOf(settings: QuotaSettings, kind: QuotaKind, userId: string): Quota {
  const setting = isAnonymousUserId(userId) ? (`${SETTING[kind]}_ANON` as const) : SETTING[kind]
  return { kind, limit: settings[setting], setting }
}

const WHAT: Record<QuotaKind, (limit: number) => string> = {
  documents: (n) => `at most ${n} documents`,
  documentBytes: (n) => `documents of at most ${n} bytes in all (UTF-8 titles and contents)`,
  secrets: (n) => `at most ${n} secrets`,
  oauthServers: (n) => `OAuth records for at most ${n} servers`,
  events: (n) => `at most ${n} audit events`,
}

/**
 * 413 when the write is refused for its size, 409 when for a count: either way `quota_exceeded`,
 * naming the limit and the setting that sets it.
 */
export function quotaExceeded(quota: Quota, userId: string): AppError {
  const who = isAnonymousUserId(userId) ? 'An anonymous user' : 'An account'
  const hint = isAnonymousUserId(userId)
    ? 'Delete some, or sign in: accounts have more room.'
    : 'Delete some first.'
  return new AppError(
    quota.kind === 'documentBytes' ? 413 : 409,
    CODE.quota_exceeded,
    `${who} may keep ${WHAT[quota.kind](quota.limit)} (${quota.setting}). ${hint}`,
  )
}
