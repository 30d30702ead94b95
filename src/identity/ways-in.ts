/**
 * "Never the last way in", written once for every credential an account can drop: a passkey or a
 * provider identity may go only while something else still signs the account in (a password, a
 * proven email for sign-in links, another passkey, another identity). A SQL condition, so each
 * removal decides it in its own DELETE and two removals racing for the last two cannot both win.
 */
import { and, eq, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { identities, passkeys, users } from '../platform/db/schema'
import { AppError, notFound } from '../platform/errors'
import { CODE } from '../contract/error-codes'

/** What is being removed: the rule counts every way in but this one. */
export interface Removing {
  passkeyId?: string
  identityId?: string
}

export function anotherWayIn(db: Db, userId: string, removing: Removing): SQL {
  const accountCredential = db
    .select({ one: sql`1` })
    .from(users)
    .where(
      and(
        eq(users.id, userId),
        or(sql`${users.passwordHash} is not null`, sql`${users.emailVerifiedAt} is not null`),
      ),
    )
  const passkey = db
    .select({ one: sql`1` })
    .from(passkeys)
    .where(
      and(
        eq(passkeys.userId, userId),
        removing.passkeyId ? ne(passkeys.id, removing.passkeyId) : undefined,
      ),
    )
  const identity = db
    .select({ one: sql`1` })
    .from(identities)
    .where(
      and(
        eq(identities.userId, userId),
        removing.identityId ? ne(identities.id, removing.identityId) : undefined,
      ),
    )
  return or(sql`exists ${accountCredential}`, sql`exists ${passkey}`, sql`exists ${identity}`)!
}

/** How a removal that keeps a way in ended. */
export type WayInRemoval = 'deleted' | 'missing' | 'last_way_in'

/** 404 when the caller has no such `what`, 409 `last_sign_in_method` when it is the last way in. */
export function requireRemoved(result: WayInRemoval, what: string): void {
  if (result === 'missing') throw notFound(what)
  if (result === 'last_way_in') throw new AppError(409, CODE.last_sign_in_method)
}
