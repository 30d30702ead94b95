/**
 * Who a person signing in with a provider becomes, and linking an identity to an account:
 * - a known identity signs in to its account;
 * - a new identity whose email the provider verified, from a provider whose verification is
 *   trusted, proves that mailbox: it joins the mailbox's account (made if none, ADMIN_EMAILS
 *   applying) exactly as a sign-in link would;
 * - a new identity whose email is only asserted (unverified, or an untrusted provider such as
 *   Microsoft, whose `email` claim a tenant admin can set to anything) never joins an account by
 *   it: when a proven account has that email, 409 asks the person to sign in there and link;
 * - otherwise a new account without an email, the identity its way in.
 */
import { AppError } from '../../platform/errors'
import { findUser, type UserRow } from '../../platform/db/users'
import { createId } from '../../platform/ids'
import type { Runtime } from '../../platform/runtime'
import type { ClaimedMailbox, RequestMeta } from '../../platform/shared-types'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { CODE } from '../../contract/error-codes'
import { findUserByEmail } from '../account-queries'
import { accountSubject, claimMailbox } from '../accounts'
import {
  findIdentity,
  insertIdentity,
  insertIdentityAccount,
  recordIdentityUse,
  type IdentityRow,
} from './identity-queries'
import { providerRejected } from './protocols/provider-errors'
import type { ProviderIdentity } from './protocols/provider'

export interface ResolvedIdentity {
  claimed: ClaimedMailbox
  identity: IdentityRow
}

export async function resolveIdentityAccount(
  rt: Runtime,
  identity: ProviderIdentity,
  meta: RequestMeta,
  now: number,
): Promise<ResolvedIdentity> {
  const known = await findIdentity(rt.db, identity.provider, identity.subject)
  if (known) return signInKnown(rt, known, identity, now)
  if (identity.email && identity.emailTrusted) {
    const claimed = await claimMailbox(rt.db, identity.email, rt.settings.ADMIN_EMAILS, now)
    const { row, inserted } = await attach(rt, claimed.account.userId, identity, now)
    // A concurrent first sign-in with this subject inserted it first: it is known now.
    if (!inserted) return signInKnown(rt, row, identity, now)
    await auditLinked(rt, row, meta, now, 'verified_email')
    return { claimed, identity: row }
  }
  if (identity.email) {
    const holder = await findUserByEmail(rt.db, identity.email)
    if (holder?.emailVerifiedAt != null && !holder.mergedInto)
      throw new AppError(409, CODE.identity_email_in_use)
  }
  const accountId = createId('usr')
  const row = await insertIdentityAccount(rt.db, newIdentity(accountId, identity, now), now)
  if (row.userId === accountId)
    await recordAuditEvent(
      rt.db,
      {
        type: 'auth.registered',
        userId: accountId,
        sessionId: null,
        detail: { method: 'provider', provider: identity.provider },
      },
      meta,
      now,
    )
  return signInKnown(rt, row, identity, now)
}

/**
 * Links the identity to the signed-in account; 409 `identity_taken` when another account has it.
 * Linking it again to the same account only records the use.
 */
export async function linkIdentity(
  rt: Runtime,
  userId: string,
  identity: ProviderIdentity,
  meta: RequestMeta,
  now: number,
): Promise<IdentityRow> {
  const { row, inserted } = await attach(rt, userId, identity, now)
  if (row.userId !== userId) throw new AppError(409, CODE.identity_taken)
  if (inserted) await auditLinked(rt, row, meta, now, 'signed_in')
  else await recordIdentityUse(rt.db, row.id, { ...identity, now })
  return row
}

/** The identity's row for `userId`, or the row of whoever won the subject first. */
async function attach(
  rt: Runtime,
  userId: string,
  identity: ProviderIdentity,
  now: number,
): Promise<{ row: IdentityRow; inserted: boolean }> {
  const inserted = await insertIdentity(rt.db, newIdentity(userId, identity, now))
  if (inserted) return { row: inserted, inserted: true }
  const winner = await findIdentity(rt.db, identity.provider, identity.subject)
  if (!winner) throw new Error('identity vanished between insert and read')
  return { row: winner, inserted: false }
}

async function signInKnown(
  rt: Runtime,
  row: IdentityRow,
  identity: ProviderIdentity,
  now: number,
): Promise<ResolvedIdentity> {
  const user = await findUser(rt.db, row.userId)
  if (!isAccount(user)) throw providerRejected(`identity ${row.id} has no live account`)
  await recordIdentityUse(rt.db, row.id, { ...identity, now })
  return { claimed: { account: accountSubject(user), droppedCredentials: false }, identity: row }
}

function isAccount(user: UserRow | undefined): user is UserRow {
  return Boolean(user && !user.isAnonymous && !user.mergedInto)
}

function newIdentity(userId: string, identity: ProviderIdentity, now: number) {
  return {
    id: createId('idn'),
    userId,
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    emailVerified: identity.emailVerified,
    linkedAt: now,
    lastUsedAt: now,
  }
}

function auditLinked(
  rt: Runtime,
  row: IdentityRow,
  meta: RequestMeta,
  now: number,
  by: 'verified_email' | 'signed_in',
) {
  return recordAuditEvent(
    rt.db,
    {
      type: 'identity.linked',
      userId: row.userId,
      sessionId: null,
      detail: { identityId: row.id, provider: row.provider, by },
    },
    meta,
    now,
  )
}
