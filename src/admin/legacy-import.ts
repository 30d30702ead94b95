/**
 * Import from a single-user install: its OAuth records become one user's here, so a team moving a
 * single-user app onto this service keeps its data. Idempotent by the caller's import id: a retry
 * finds the same user and writes the same records again, so a half-finished import completes.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { imports, users } from '../platform/db/schema'
import { findUser } from '../platform/db/users'
import type { IssuedSession, RequestMeta } from '../platform/shared-types'
import { createId } from '../platform/ids'
import type { Runtime } from '../platform/runtime'
import { recordAuditEvent } from '../platform/audit/audit-log'
import {
  saveOAuthClient,
  saveOAuthTokens,
  type StoredOAuthClient,
  type StoredOAuthTokens,
} from '../user-data'
import { startSession } from '../session'

export interface LegacyOAuthRecord {
  serverId: string
  tokens?: StoredOAuthTokens
  client?: StoredOAuthClient
}

export interface LegacyImport {
  importId: string
  oauth: LegacyOAuthRecord[]
}

export interface ImportResult {
  issued: IssuedSession
  /** False when this import id was seen before: the same user, nothing new created. */
  created: boolean
}

export async function importLegacyInstall(
  rt: Runtime,
  input: LegacyImport,
  meta: RequestMeta,
): Promise<ImportResult> {
  const now = Date.now()
  const { userId, created } = await claimImport(rt.db, input.importId, now)
  for (const record of input.oauth) {
    const key = { userId, serverId: record.serverId }
    if (record.client) await saveOAuthClient(rt, key, record.client, now)
    if (record.tokens) await saveOAuthTokens(rt, key, record.tokens, now)
  }
  const user = await findUser(rt.db, userId)
  const subject = {
    userId,
    isAnonymous: false,
    role: user?.role ?? 'user',
    email: null,
    userCreatedAt: user?.createdAt ?? now,
  }
  const issued = await startSession(rt, subject, meta, now)
  if (created) {
    await recordAuditEvent(
      rt.db,
      {
        type: 'admin.import',
        userId,
        sessionId: issued.view.sessionId,
        detail: { servers: input.oauth.length },
      },
      meta,
      now,
    )
  }
  return { issued, created }
}

/** The user behind an import id: claimed by one conditional insert, so racing retries agree. */
async function claimImport(
  db: Db,
  importId: string,
  now: number,
): Promise<{ userId: string; created: boolean }> {
  const claimed = await db
    .insert(imports)
    .values({ importId, userId: createId('usr'), createdAt: now })
    .onConflictDoNothing()
    .returning()
    .get()
  const row =
    claimed ?? (await db.select().from(imports).where(eq(imports.importId, importId)).get())
  if (!row) throw new Error('import row vanished between insert and read')
  // The user row may be missing if an earlier attempt stopped right after the claim.
  await db
    .insert(users)
    .values({ id: row.userId, isAnonymous: false, role: 'user', createdAt: now, lastSeenAt: now })
    .onConflictDoNothing()
  return { userId: row.userId, created: Boolean(claimed) }
}
