/**
 * D1 tables as drizzle sees them. The SQL in migrations/ is generated from this file by drizzle-kit
 * and is what ships; test/platform/db/schema.test.ts checks that the applied SQL and this file agree.
 * Times are integer milliseconds since the epoch.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').unique(),
    passwordHash: text('password_hash'),
    isAnonymous: integer('is_anonymous', { mode: 'boolean' }).notNull(),
    role: text('role').notNull().default('user'),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    mergedInto: text('merged_into'),
    mergedAt: integer('merged_at'),
    /** When a mailbox proved this email (a sign-in link or the registration's confirmation); null until then. */
    emailVerifiedAt: integer('email_verified_at'),
    /**
     * Set when a merge of this (anonymous) user starts: its data takes no writes while the merge
     * reads and moves it (see user-data/write-guard.ts); the merge's batch clears it as it tombstones.
     */
    mergeStartedAt: integer('merge_started_at'),
  },
  (t) => [index('users_anonymous_last_seen').on(t.isAnonymous, t.lastSeenAt)],
)

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [
    index('sessions_user_created').on(t.userId, t.createdAt),
    index('sessions_expires').on(t.expiresAt),
  ],
)

export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: text('public_jwk').notNull(),
  /** The private JWK sealed (AES-GCM) under the master key it names: `<keyId>:<iv>.<ciphertext>`. */
  privateJwkSealed: text('private_jwk_sealed').notNull(),
  createdAt: integer('created_at').notNull(),
  retiredAt: integer('retired_at'),
})

export const control = sqliteTable('control', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id'),
    sessionId: text('session_id'),
    type: text('type').notNull(),
    at: integer('at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    country: text('country'),
    detail: text('detail', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index('audit_events_user_at').on(t.userId, t.at), index('audit_events_at').on(t.at)],
)

/**
 * `sign_in` proves the mailbox and signs in; `register` confirms a registration and creates its
 * account. (`verify_email` rows came from registrations that made an account at once; they only
 * ever answer as invalid now.)
 */
export type MagicLinkPurpose = 'sign_in' | 'register' | 'verify_email'

export const magicLinks = sqliteTable(
  'magic_links',
  {
    /** SHA-256 of the link's token, base64url: the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    requestedBySessionId: text('requested_by_session_id'),
    /** The device credential's device the request came with: its own per-email mail budget. */
    requestedByDeviceId: text('requested_by_device_id'),
    consumedAt: integer('consumed_at'),
    consumedBySessionId: text('consumed_by_session_id'),
    purpose: text('purpose').$type<MagicLinkPurpose>().notNull().default('sign_in'),
    /** Set by logout-all, a password change or a mailbox proof: the link, used or not, is dead. */
    invalidatedAt: integer('invalidated_at'),
    /** SHA-256 of the short code mailed beside the link, typed in the requesting browser. */
    codeHash: text('code_hash'),
    codeAttempts: integer('code_attempts').notNull().default(0),
    codeConsumedAt: integer('code_consumed_at'),
    /**
     * A registration's chosen password (its PBKDF2 hash), kept only until the registering session
     * confirms it or the link is swept: never in a cookie, never on the account before its proof.
     */
    passwordHash: text('password_hash'),
  },
  (t) => [
    index('magic_links_expires').on(t.expiresAt),
    index('magic_links_email_created').on(t.email, t.createdAt),
  ],
)

/** One row per merged anonymous user: a retried merge returns this report and moves nothing. */
export const merges = sqliteTable('merges', {
  fromUserId: text('from_user_id').primaryKey(),
  intoUserId: text('into_user_id').notNull(),
  report: text('report', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer('created_at').notNull(),
})

/** Failed logins counted exactly per normalised email, for growing back-off. */
/**
 * Password attempts counted per budget: an email's shared one (`device_id` '') for every client
 * that has not signed in to it before, and one per device credential that has.
 */
export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    email: text('email').notNull(),
    deviceId: text('device_id').notNull().default(''),
    failures: integer('failures').notNull(),
    lastFailedAt: integer('last_failed_at').notNull(),
    lockedUntil: integer('locked_until').notNull(),
  },
  (t) => [primaryKey({ columns: [t.email, t.deviceId] })],
)

/** Mail kept locally when MAILER=outbox (development and tests), listed by /v1/dev/outbox. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    to: text('to_email').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    link: text('link'),
    token: text('token'),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [index('outbox_to_sent').on(t.to, t.sentAt)],
)

/**
 * Merge and erase events for other Workers not yet handed to the queue (a transactional outbox):
 * written in the same D1 batch as the change they report, deleted once the queue took them, and
 * sent again by the sweep while they stay. So an event is never lost to a failed publish, and
 * never sent for a change that rolled back.
 */
export const eventOutbox = sqliteTable(
  'event_outbox',
  {
    id: text('id').primaryKey(),
    /** The `SessionEvent`, as published. */
    body: text('body', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('event_outbox_created').on(t.createdAt)],
)

/** One JSON object per user, merged with RFC 7396 patches; unknown keys are kept. */
export const preferences = sqliteTable('preferences', {
  userId: text('user_id').primaryKey(),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** API keys and the like, AES-GCM sealed under the user's own key (HKDF from ENCRYPTION_KEY). */
export const secrets = sqliteTable(
  'secrets',
  {
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    valueSealed: text('value_sealed').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.name] })],
)

/** OAuth client state per (user, server), as the MCP SDK's OAuthClientProvider stores it. */
export const oauthRecords = sqliteTable(
  'oauth_records',
  {
    userId: text('user_id').notNull(),
    serverId: text('server_id').notNull(),
    tokensSealed: text('tokens_sealed'),
    clientSealed: text('client_sealed'),
    verifierSealed: text('verifier_sealed'),
    verifierExpiresAt: integer('verifier_expires_at'),
    /**
     * The SDK's discovery state (RFC 9728 and RFC 8414 metadata, as JSON). Public documents, not
     * credentials, so stored in the clear: nothing to seal or re-seal.
     */
    discoveryJson: text('discovery_json'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.serverId] }),
    index('oauth_records_verifier_expires').on(t.verifierExpiresAt),
  ],
)

export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    /** UTF-8 bytes of title and content: the documents quota sums it without reading content. */
    sizeBytes: integer('size_bytes').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('documents_user_created').on(t.userId, t.createdAt, t.id),
    // Covers the quota's sum of a user's bytes, so a write reads no document content.
    index('documents_user_size').on(t.userId, t.sizeBytes),
  ],
)

/** One row per sweep run (cron or admin), with what it deleted. */
export const sweepRuns = sqliteTable(
  'sweep_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    trigger: text('trigger').notNull(),
    startedAt: integer('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    counts: text('counts', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    /** False when the time budget ran out with work left for the next run. */
    complete: integer('complete', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('sweep_runs_started').on(t.startedAt)],
)

/** Imports from single-user installs, keyed by the caller's import id so a retry is a no-op. */
export const imports = sqliteTable('imports', {
  importId: text('import_id').primaryKey(),
  userId: text('user_id').notNull(),
  createdAt: integer('created_at').notNull(),
})

/**
 * WebAuthn credentials (passkeys) of accounts. A credential id names one credential across every
 * account (unique index): a race of two registrations of it leaves one row.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    /** The authenticator's credential id, base64url. */
    credentialId: text('credential_id').notNull().unique(),
    userId: text('user_id').notNull(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    /** The signature counter last seen; 0 for authenticators that do not count. */
    counter: integer('counter').notNull().default(0),
    /** Comma-separated AuthenticatorTransport values the browser reported. */
    transports: text('transports').notNull().default(''),
    /** `singleDevice` or `multiDevice` (a synced passkey). */
    deviceType: text('device_type').notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('passkeys_user_created').on(t.userId, t.createdAt)],
)

/**
 * Accounts' identities at sign-in providers (Google, GitHub, an OpenID issuer). A provider's
 * subject names one identity across every account (unique index): a race of two first sign-ins
 * with it leaves one row. The email is as the provider asserted it; `emailVerified` says whether
 * the provider claimed to have verified it, which proves a mailbox only for a trusted provider.
 */
export const identities = sqliteTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** The provider's id in the settings: `google`, `github`, or a generic issuer's id. */
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    email: text('email'),
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull(),
    linkedAt: integer('linked_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [
    uniqueIndex('identities_provider_subject').on(t.provider, t.subject),
    index('identities_user').on(t.userId),
  ],
)

/**
 * An account's second factor: its TOTP secret (sealed under the user's key), and the state its
 * codes share: the last time step accepted (a code works once), the tries granted in the current
 * window (counted in the statement that grants one), and the instant before which every pending
 * second-factor challenge is dead (logout-all, a password change).
 */
export const secondFactors = sqliteTable('second_factors', {
  userId: text('user_id').primaryKey(),
  totpSecretSealed: text('totp_secret_sealed').notNull(),
  createdAt: integer('created_at').notNull(),
  /** Null until a first code proves the authenticator holds the secret. */
  confirmedAt: integer('confirmed_at'),
  /** The TOTP time step (unix seconds / period) of the last accepted code. */
  lastStep: integer('last_step'),
  lastUsedAt: integer('last_used_at'),
  tries: integer('tries').notNull().default(0),
  triesSince: integer('tries_since').notNull().default(0),
  challengesValidFrom: integer('challenges_valid_from').notNull().default(0),
})

/** Recovery codes: only their SHA-256 is kept; each works once. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    userId: text('user_id').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
)
