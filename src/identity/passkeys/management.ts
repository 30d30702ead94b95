/** An account's passkeys: list, rename, remove (never the last way in), and an admin's removal. */
import { notFound } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { requireRecentSignIn } from '../credentials/recent-sign-in'
import { requireRemoved } from '../ways-in'
import {
  deletePasskey,
  deletePasskeyKeepingAWayIn,
  listPasskeys,
  renamePasskey,
  type PasskeyRow,
} from './queries'

/** What the API shows of a passkey: never its key or counter. */
export interface PasskeyView {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  deviceType: string
  backedUp: boolean
}

export function toPasskeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.createdAt).toISOString(),
    lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
    deviceType: row.deviceType,
    backedUp: row.backedUp,
  }
}

export async function passkeysOf(rt: Runtime, userId: string): Promise<PasskeyView[]> {
  return (await listPasskeys(rt.db, userId)).map(toPasskeyView)
}

export async function renameOwnPasskey(
  rt: Runtime,
  caller: UserContext,
  id: string,
  name: string,
  meta: RequestMeta,
): Promise<PasskeyView> {
  const row = await renamePasskey(rt.db, caller.id, id, name)
  if (!row) throw notFound('The passkey')
  await recordAuditEvent(
    rt.db,
    { type: 'passkey.renamed', userId: caller.id, sessionId: caller.sessionId, detail: { id } },
    meta,
    Date.now(),
  )
  return toPasskeyView(row)
}

/** Removes one of the caller's passkeys (a recent sign-in required), keeping a way in. */
export async function removeOwnPasskey(
  rt: Runtime,
  caller: UserContext,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  const now = Date.now()
  await requireRecentSignIn(rt, caller.sessionId, now)
  const result = await deletePasskeyKeepingAWayIn(rt.db, caller.id, id)
  requireRemoved(result, 'The passkey')
  await recordAuditEvent(
    rt.db,
    { type: 'passkey.removed', userId: caller.id, sessionId: caller.sessionId, detail: { id } },
    meta,
    now,
  )
}

/**
 * An administrator removes a passkey (a lost device): even the last one, since support has
 * checked who asks; the owner then signs in by email link if the email is proven.
 */
export async function removePasskeyAsAdmin(
  rt: Runtime,
  userId: string,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  if (!(await deletePasskey(rt.db, userId, id))) throw notFound('The passkey')
  await recordAuditEvent(
    rt.db,
    { type: 'passkey.removed', userId, sessionId: null, detail: { id, by: 'admin' } },
    meta,
    Date.now(),
  )
}
