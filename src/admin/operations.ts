/** Operator actions behind the admin API: the kill switch and the service's vital counts. */
import { and, count, desc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { writeRevokedBefore } from '../platform/db/control'
import {
  auditEvents,
  documents,
  oauthRecords,
  secrets,
  sessions,
  sweepRuns,
  users,
} from '../platform/db/schema'
import { isLive } from '../session'
import type { Runtime } from '../platform/runtime'
import { readSealedInventory, type SealedInventory } from '../platform/crypto/key-check'

/**
 * Every session that exists now stops working: refresh and `fresh` checks refuse at once, access
 * tokens once each isolate's copy of the switch renews (30 s at most; this isolate at once).
 */
export async function pullKillSwitch(rt: Runtime, now: number): Promise<number> {
  // The instant itself, in ms: sessions, links and access tokens (`iat_ms`) all carry their issue
  // time in ms, so whatever was issued before it is refused and whatever after it works.
  await writeRevokedBefore(rt.db, now)
  rt.killSwitch.invalidate()
  return now
}

/**
 * Where figures the service counts live. D1 holds what is stored anyway (materialised users and
 * sessions, failed logins, sweeps, sealed values); Analytics Engine what must not cost a D1 write
 * per request: sessions issued (most are never materialised) and rate-limit refusals.
 */
export const METRIC_SOURCES = {
  d1: ['users', 'liveSessions', 'authFailures24h', 'lastSweep', 'sealedValues'],
  analyticsEngine: {
    dataset: 'edge_session_events',
    events: ['session.issued', 'rate_limit.hit'],
    query:
      "SELECT blob1 AS event, blob2 AS detail, SUM(_sample_interval) AS n FROM edge_session_events WHERE timestamp > NOW() - INTERVAL '1' DAY GROUP BY event, detail",
  },
} as const

export interface Metrics {
  /** Materialised users only: an issued session has no user row until it comes back. */
  users: { anonymous: number; accounts: number; merged: number }
  liveSessions: number
  authFailures24h: number
  sources: typeof METRIC_SOURCES
  lastSweep: {
    at: string
    trigger: string
    durationMs: number
    complete: boolean
    counts: Record<string, number>
  } | null
  /** How many stored values each master key id seals: a rotation is done when only the current one does. */
  sealedValues: SealedInventory
  /** The users whose documents take the most bytes, with what else they keep (quota use). */
  heaviestUsers: UserUsage[]
}

/** What one user keeps, against the quotas (user-data/quotas.ts). */
export interface UserUsage {
  userId: string
  documents: number
  documentBytes: number
  secrets: number
  oauthServers: number
  events: number
}

/** How many users `heaviestUsers` lists. */
export const HEAVIEST_USERS = 10

/**
 * The top users by document bytes (an index-only scan of `documents_user_size`), then their other
 * counts, each served by a per-user index.
 */
export async function readHeaviestUsers(db: Db, limit = HEAVIEST_USERS): Promise<UserUsage[]> {
  const rows = await db
    .select({
      userId: documents.userId,
      documents: count(),
      documentBytes: sql<number>`sum(${documents.sizeBytes})`,
    })
    .from(documents)
    .groupBy(documents.userId)
    .orderBy(sql`3 desc`)
    .limit(limit)
  const countFor = async (
    table: typeof secrets | typeof oauthRecords | typeof auditEvents,
    userId: string,
  ) => (await db.select({ n: count() }).from(table).where(eq(table.userId, userId)).get())?.n ?? 0
  return Promise.all(
    rows.map(async (row) => ({
      ...row,
      documentBytes: Number(row.documentBytes),
      secrets: await countFor(secrets, row.userId),
      oauthServers: await countFor(oauthRecords, row.userId),
      events: await countFor(auditEvents, row.userId),
    })),
  )
}

export async function readMetrics(rt: Runtime, now: number): Promise<Metrics> {
  const { db } = rt
  const dayAgo = now - 86_400_000
  const countOf = async (query: Promise<Array<{ n: number }>>) => (await query)[0]?.n ?? 0
  const eventsSince = (type: string) =>
    countOf(
      db
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.type, type), gt(auditEvents.at, dayAgo))),
    )
  const [
    anonymous,
    accounts,
    merged,
    liveSessions,
    authFailures24h,
    last,
    sealedValues,
    heaviestUsers,
  ] = await Promise.all([
    countOf(
      db
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.isAnonymous, true), isNull(users.mergedInto))),
    ),
    countOf(db.select({ n: count() }).from(users).where(eq(users.isAnonymous, false))),
    countOf(db.select({ n: count() }).from(users).where(isNotNull(users.mergedInto))),
    countOf(db.select({ n: count() }).from(sessions).where(isLive(now))),
    eventsSince('auth.login_failed'),
    db
      .select()
      .from(sweepRuns)
      .orderBy(desc(sweepRuns.startedAt), desc(sweepRuns.id))
      .limit(1)
      .get(),
    readSealedInventory(db, rt.keyring),
    readHeaviestUsers(db),
  ])
  return {
    users: { anonymous, accounts, merged },
    liveSessions,
    authFailures24h,
    sources: METRIC_SOURCES,
    lastSweep: last
      ? {
          at: new Date(last.startedAt).toISOString(),
          trigger: last.trigger,
          durationMs: last.durationMs,
          complete: last.complete,
          counts: last.counts,
        }
      : null,
    sealedValues,
    heaviestUsers,
  }
}
