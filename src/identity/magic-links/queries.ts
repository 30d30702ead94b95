/** Queries on `magic_links`: only hashes of tokens and codes are stored. */
import { and, eq, gt, gte, isNull, lt, ne, sql } from 'drizzle-orm'
import type { Db } from '../../platform/db/client'
import { magicLinks, users, type MagicLinkPurpose } from '../../platform/db/schema'

export type MagicLinkRow = typeof magicLinks.$inferSelect

export async function insertMagicLink(db: Db, row: typeof magicLinks.$inferInsert): Promise<void> {
  await db.insert(magicLinks).values(row)
}

export function findMagicLink(db: Db, tokenHash: string): Promise<MagicLinkRow | undefined> {
  return db.select().from(magicLinks).where(eq(magicLinks.tokenHash, tokenHash)).get()
}

/**
 * Who a link mail is charged to: the device of a credential the request presented for this email,
 * or (`deviceId` null) every client without one, together.
 */
export interface LinkMailBudget {
  deviceId: string | null
  /** Links created since then count. */
  since: number
  max: number
}

/**
 * Stores a link unless its budget already holds `max` links for the email since `since`: the
 * count and the insert are one statement, so no burst of requests gets past the cap. True when
 * stored (then mail it).
 */
export async function insertMagicLinkWithinBudget(
  db: Db,
  row: typeof magicLinks.$inferInsert,
  budget: LinkMailBudget,
): Promise<boolean> {
  const result = await db.run(
    sql`insert into ${magicLinks} (token_hash, email, purpose, created_at, expires_at,
          requested_by_session_id, requested_by_device_id, code_hash, password_hash)
        select ${row.tokenHash}, ${row.email}, ${row.purpose ?? 'sign_in'}, ${row.createdAt},
          ${row.expiresAt}, ${row.requestedBySessionId ?? null}, ${budget.deviceId},
          ${row.codeHash ?? null}, ${row.passwordHash ?? null}
        where (select count(*) from ${magicLinks} m
               where m.email = ${row.email} and m.created_at >= ${budget.since}
                 and m.requested_by_device_id is ${budget.deviceId}) < ${budget.max}`,
  )
  return result.meta.changes > 0
}

export interface ConsumeLinkOptions {
  purpose: MagicLinkPurpose
  /** The session the link is consumed for (the caller's, or the one about to start). */
  sessionId: string | null
  now: number
  /** The kill switch: links created before it are dead. */
  revokedBefore: number
}

/** The link `tokenHash` of `purpose`, still to be used: not consumed, killed, expired or switched off. */
export function unconsumedLinkConditions(
  tokenHash: string,
  {
    purpose,
    now,
    revokedBefore,
  }: { purpose: MagicLinkPurpose; now: number; revokedBefore: number },
) {
  return [
    eq(magicLinks.tokenHash, tokenHash),
    eq(magicLinks.purpose, purpose),
    isNull(magicLinks.consumedAt),
    isNull(magicLinks.invalidatedAt),
    gt(magicLinks.expiresAt, now),
    gte(magicLinks.createdAt, revokedBefore),
  ]
}

/**
 * Consumes a link: one conditional UPDATE, so across every session and isolate exactly one caller
 * gets its email and expiry back; everyone else gets undefined.
 */
export function consumeMagicLink(db: Db, tokenHash: string, options: ConsumeLinkOptions) {
  return db
    .update(magicLinks)
    .set({ consumedAt: options.now, consumedBySessionId: options.sessionId })
    .where(and(...unconsumedLinkConditions(tokenHash, options)))
    .returning({ email: magicLinks.email, expiresAt: magicLinks.expiresAt })
    .get()
}

/**
 * The email of a link this session already consumed, while a repeat of that success is still
 * allowed: the link has not expired, was not invalidated (logout-all, password change, a mailbox
 * proof) and is not older than the kill switch. Erasing the user deletes the row.
 */
export async function findReplayableLink(
  db: Db,
  tokenHash: string,
  sessionId: string,
  now: number,
  revokedBefore: number,
): Promise<string | undefined> {
  const row = await db
    .select({ email: magicLinks.email })
    .from(magicLinks)
    .where(
      and(
        eq(magicLinks.tokenHash, tokenHash),
        eq(magicLinks.consumedBySessionId, sessionId),
        isNull(magicLinks.invalidatedAt),
        gt(magicLinks.expiresAt, now),
        gte(magicLinks.createdAt, revokedBefore),
      ),
    )
    .get()
  return row?.email
}

/**
 * Kills every link of the user's email, used or not (but `except`), so none can sign in or be
 * repeated any more: logout-all, a password change and a mailbox proof call it.
 */
export async function invalidateLinksOfUser(
  db: Db,
  userId: string,
  now: number,
  except: string | null = null,
): Promise<void> {
  await db
    .update(magicLinks)
    .set({ invalidatedAt: now })
    .where(
      and(
        eq(
          magicLinks.email,
          sql`(select ${users.email} from ${users} where ${users.id} = ${userId})`,
        ),
        isNull(magicLinks.invalidatedAt),
        except === null ? undefined : ne(magicLinks.tokenHash, except),
      ),
    )
}

/** Wrong codes a link's requester may type before the code dies. */
export const MAX_CODE_ATTEMPTS = 5

/** A code typed in `sessionId` for the link(s) mailed to `email`; only its hash is kept. */
export interface LinkCodeTry {
  email: string
  codeHash: string
  sessionId: string
  now: number
  revokedBefore: number
}

/**
 * One try at the short code of a link `sessionId` asked for, counted and checked in one
 * statement: the try is granted only while fewer than MAX_CODE_ATTEMPTS were, and the code is
 * compared (and consumed when it matches) only in a granted try. D1 runs statements one at a
 * time, so however many tries race, at most MAX_CODE_ATTEMPTS of them ever compare a code.
 * Returns the link's email when the code matched, else undefined (wrong, used up, or no link).
 */
export async function tryLinkCode(db: Db, options: LinkCodeTry): Promise<string | undefined> {
  const tried = await db
    .update(magicLinks)
    .set({
      codeAttempts: sql`${magicLinks.codeAttempts} + 1`,
      codeConsumedAt: sql`case when ${magicLinks.codeHash} = ${options.codeHash} then ${options.now} end`,
    })
    .where(and(...liveCodeConditions({ ...options, purpose: 'sign_in' })))
    .returning({ email: magicLinks.email, codeConsumedAt: magicLinks.codeConsumedAt })
    .all()
  return tried.find((link) => link.codeConsumedAt !== null)?.email
}

/**
 * The links mailed to `email` for `sessionId` whose code may still be tried: unused, alive, and
 * with tries left (MAX_CODE_ATTEMPTS, counted in the statement that tries).
 */
export function liveCodeConditions(
  options: Omit<LinkCodeTry, 'codeHash'> & { purpose: MagicLinkPurpose },
) {
  return [
    eq(magicLinks.email, options.email),
    eq(magicLinks.requestedBySessionId, options.sessionId),
    eq(magicLinks.purpose, options.purpose),
    isNull(magicLinks.codeConsumedAt),
    isNull(magicLinks.invalidatedAt),
    gt(magicLinks.expiresAt, options.now),
    gte(magicLinks.createdAt, options.revokedBefore),
    lt(magicLinks.codeAttempts, MAX_CODE_ATTEMPTS),
  ]
}
