/** Support's side of second factors: removing an account's factor when its owner lost the device. */
import type { Runtime } from '../../platform/runtime'
import type { RequestMeta } from '../../platform/shared-types'
import { notFound } from '../../platform/errors'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { deleteSecondFactor } from './queries'

/**
 * An administrator removes the account's authenticator app and recovery codes (support has
 * checked who asks); the owner then signs in with the first factor alone and may enrol again.
 */
export async function removeFactorsAsAdmin(
  rt: Runtime,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  if (!(await deleteSecondFactor(rt.db, userId))) throw notFound('The second factor')
  await recordAuditEvent(
    rt.db,
    { type: 'factor.totp_disabled', userId, sessionId: null, detail: { by: 'admin' } },
    meta,
    Date.now(),
  )
}
