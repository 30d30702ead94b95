/**
 * D1 tables as drizzle sees them. The SQL in migrations/ is generated from this file by drizzle-kit
 * and is what ships; test/db/schema.test.ts checks that the applied SQL and this file agree.
 * Times are integer milliseconds since the epoch.
 */
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

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
  /** AES-GCM ciphertext of the private JWK under ENCRYPTION_KEY: `<iv b64url>.<ciphertext b64url>`. */
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
