/**
 * "Never the last way in", written once for every credential an account can drop: a passkey or a
 * provider identity may go only while something else still signs the account in (a password, a
 * proven email for sign-in links, another passkey, another identity). A SQL condition, so each
 * removal decides it in its own DELETE and two removals racing for the last two cannot both win.
 */
import { and, eq, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../platform/db/client'
import { identities, passkeys, users } from '../platform/db/schema'

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
