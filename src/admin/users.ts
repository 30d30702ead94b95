/**
 * What the admin API does to users beyond erasing them: list and search, show one with its live
 * sessions, set a role, end every session. A role lives in each session's token and session
 * object too, so setting one ends the user's sessions: no token keeps the old role.
 */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm'
import { users } from '../platform/db/schema'
import { findUser, type UserRow } from '../platform/db/users'
import { AppError, notFound } from '../platform/errors'
import type { RequestMeta } from '../platform/shared-types'
import { USER_ID_PATTERN } from '../platform/ids'
import type { Runtime } from '../platform/runtime'
import { recordAuditEvent } from '../platform/audit/audit-log'
import { decodePageCursor, encodePageCursor } from '../platform/db/page-cursor'
import { listSessions } from '../session'
import { revokeAllSessions } from '../identity'
import { CODE } from '../contract/error-codes'

export const ROLES = ['user', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface UsersPage {
  users: UserRow[]
  nextCursor: string | null
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (with ESCAPE '\'). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Users newest first, `limit` at a time; `query` matches part of an email or a whole id.
 * @throws 400 for a cursor this server did not make.
 */
export async function listUsers(
  rt: Runtime,
  options: { query?: string; cursor?: string; limit: number },
): Promise<UsersPage> {
  const after = options.cursor ? decodePageCursor(options.cursor, USER_ID_PATTERN) : null
  if (options.cursor && !after)
    throw new AppError(400, CODE.invalid_request, 'query.cursor: is not a cursor from this list.')
  const query = options.query?.trim().toLowerCase()
  const rows = await rt.db
    .select()
    .from(users)
    .where(
      and(
        query
          ? or(
              eq(users.id, query),
              sql`${users.email} LIKE ${`%${likeLiteral(query)}%`} ESCAPE '\\'`,
            )
          : undefined,
        after
          ? or(
              lt(users.createdAt, after.createdAt),
              and(eq(users.createdAt, after.createdAt), lt(users.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    users: page,
    nextCursor: rows.length > options.limit && last ? encodePageCursor(last) : null,
  }
}

/** A user and their live sessions; 404 for an unknown id. */
export async function showUser(rt: Runtime, id: string) {
  const user = await findUser(rt.db, id)
  if (!user) throw notFound('The user')
  return { user, sessions: await listSessions(rt, id) }
}

/** Sets an account's role and ends its sessions; returns the user and how many sessions ended. */
export async function setUserRole(
  rt: Runtime,
  id: string,
  role: Role,
  actor: { userId: string | null; sessionId: string | null },
  meta: RequestMeta,
) {
  const user = await findUser(rt.db, id)
  if (!user || user.mergedInto) throw notFound('The user')
  if (user.isAnonymous && role !== 'user')
    throw new AppError(403, CODE.account_required, 'Only an account can be an administrator.')
  await rt.db.update(users).set({ role }).where(eq(users.id, id))
  const sessionsRevoked = await revokeAllSessions(rt, id, meta, null)
  await recordAuditEvent(
    rt.db,
    { type: 'admin.role_set', ...actor, detail: { user: id, role, was: user.role } },
    meta,
    Date.now(),
  )
  return { user: { ...user, role }, sessionsRevoked }
}

/** Ends every live session of a user; 404 for an unknown id. */
export async function revokeUserSessions(
  rt: Runtime,
  id: string,
  actor: { userId: string | null; sessionId: string | null },
  meta: RequestMeta,
): Promise<number> {
  if (!(await findUser(rt.db, id))) throw notFound('The user')
  const revoked = await revokeAllSessions(rt, id, meta, null)
  await recordAuditEvent(
    rt.db,
    { type: 'admin.sessions_revoked', ...actor, detail: { user: id, sessions: revoked } },
    meta,
    Date.now(),
  )
  return revoked
}
