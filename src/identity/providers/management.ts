/** An account's identities: list, unlink (never the last way in), and an administrator's removal. */
import { notFound } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { requireRecentSignIn } from '../credentials/recent-sign-in'
import { requireRemoved } from '../ways-in'
import {
  deleteIdentity,
  deleteIdentityKeepingAWayIn,
  listIdentities,
  type IdentityRow,
} from './identity-queries'

export interface IdentityView {
  id: string
  provider: string
  email: string | null
  emailVerified: boolean
  linkedAt: string
  lastUsedAt: string | null
}

export function toIdentityView(row: IdentityRow): IdentityView {
  return {
    id: row.id,
    provider: row.provider,
    email: row.email,
    emailVerified: row.emailVerified,
    linkedAt: new Date(row.linkedAt).toISOString(),
    lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
  }
}

export async function identitiesOf(rt: Runtime, userId: string): Promise<IdentityView[]> {
  return (await listIdentities(rt.db, userId)).map(toIdentityView)
}

/** Unlinks one of the caller's identities (a recent sign-in required), keeping a way in. */
export async function unlinkOwnIdentity(
  rt: Runtime,
  caller: UserContext,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  const now = Date.now()
  await requireRecentSignIn(rt, caller.sessionId, now)
  const result = await deleteIdentityKeepingAWayIn(rt.db, caller.id, id)
  requireRemoved(result, 'The identity')
  await auditUnlinked(rt, caller.id, caller.sessionId, { identityId: id }, meta, now)
}

/**
 * An administrator removes an identity (the provider account was lost or taken over): even the
 * last one, since support has checked who asks.
 */
export async function removeIdentityAsAdmin(
  rt: Runtime,
  userId: string,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  if (!(await deleteIdentity(rt.db, userId, id))) throw notFound('The identity')
  await auditUnlinked(rt, userId, null, { identityId: id, by: 'admin' }, meta, Date.now())
}

function auditUnlinked(
  rt: Runtime,
  userId: string,
  sessionId: string | null,
  detail: Record<string, unknown>,
  meta: RequestMeta,
  now: number,
) {
  return recordAuditEvent(
    rt.db,
    { type: 'identity.unlinked', userId, sessionId, detail },
    meta,
    now,
  )
}
