/**
 * Confirming a registration: its link (token in the fragment, POSTed by the page) or its code
 * (typed in the browser that registered). Either creates the account, proven, or proves the one
 * that has the address. Only in the session that registered (proven by its refresh secret) does
 * the confirmation merge that session, through the sign-in step every method uses, and keep the
 * password chosen then. Opened anywhere else, the link signs that browser in beside its own data
 * and keeps no password: whoever registered may not be the mailbox's owner.
 */
import { normalizeEmail } from '../emails'
import { findUserByEmail } from '../account-queries'
import { accountSubject, claimMailbox } from '../accounts'
import { findMagicLink, findReplayableLink } from '../magic-links/queries'
import { invalidCode, normalizeLinkCode, TOKEN_PATTERN } from '../magic-links/magic-links'
import {
  invalidMagicLink,
  isSecondFactorPending,
  signIn,
  startAccountSession,
  type SessionProof,
  type SignInAttempt,
} from '../sign-in'
import { readRevokedBefore } from '../../platform/db/control'
import { sha256Base64Url } from '../../platform/encoding'
import { createId } from '../../platform/ids'
import type { RequestMeta } from '../../platform/shared-types'
import type { Runtime } from '../../platform/runtime'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import {
  clearPendingPassword,
  consumeRegistrationCode,
  consumeRegistrationLink,
  setFirstPassword,
  type ConsumedRegistration,
} from './queries'
import { holdsSession } from '../session-proof'
import { sessionRequired } from './registration'

/** Confirms a registration by its link; see the module header for who gets what. */
export async function confirmRegistration(
  rt: Runtime,
  token: string,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInAttempt> {
  if (!TOKEN_PATTERN.test(token)) throw invalidMagicLink()
  const tokenHash = await sha256Base64Url(token)
  const now = Date.now()
  const link = await findMagicLink(rt.db, tokenHash)
  if (link?.purpose !== 'register') throw invalidMagicLink()
  const revokedBefore = await readRevokedBefore(rt.db)
  const ownSession =
    from !== null &&
    (link.requestedBySessionId === from.sessionId || link.consumedBySessionId === from.sessionId) &&
    (await holdsSession(rt, from, { now, revokedBefore: await readRevokedBefore(rt.db) }))
  if (ownSession) {
    const options = { sessionId: from.sessionId, now, revokedBefore }
    const consumed = await consumeRegistrationLink(rt.db, tokenHash, options)
    if (consumed) return completeRegistration(rt, consumed, from, meta, now, 'link')
    // Used already by this very session (a double click): the same success again, while the
    // link lives and nothing (logout-all, a password change, the kill switch) has killed it.
    const email = await findReplayableLink(rt.db, tokenHash, from.sessionId, now, revokedBefore)
    const row = email ? await findUserByEmail(rt.db, email) : undefined
    if (!row) throw invalidMagicLink()
    const account = accountSubject(row)
    return signIn(rt, from, { kind: 'account', account, droppedCredentials: false }, meta)
  }
  // Another browser: a new session of the account, consumed in its name so that browser's
  // double click finds it; nothing merges and the pending password stays unused.
  const sessionId = createId('sess')
  const consumed = await consumeRegistrationLink(rt.db, tokenHash, {
    sessionId,
    now,
    revokedBefore,
  })
  if (!consumed) throw invalidMagicLink()
  const claimed = await claimMailbox(rt.db, consumed.email, rt.settings.ADMIN_EMAILS, now)
  const outcome = await startAccountSession(
    rt,
    claimed,
    { sessionId },
    { kind: 'account', ...claimed },
    meta,
    now,
  )
  await auditRegistered(rt, outcome, meta, now, { method: 'link', passwordKept: false })
  return outcome
}

/** Confirms a registration by its code, typed in the session that registered. */
export async function confirmRegistrationCode(
  rt: Runtime,
  rawEmail: string,
  code: string,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInAttempt> {
  const email = normalizeEmail(rawEmail)
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const now = Date.now()
  // Only the holder of the session's secret may spend its tries: a session id is public.
  if (
    !from ||
    !(await holdsSession(rt, from, { now, revokedBefore: await readRevokedBefore(rt.db) }))
  )
    throw sessionRequired()
  const consumed = await consumeRegistrationCode(rt.db, {
    email,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
    sessionId: from.sessionId,
    now,
    revokedBefore: await readRevokedBefore(rt.db),
  })
  if (!consumed) throw invalidCode()
  return completeRegistration(rt, consumed, from, meta, now, 'code')
}

/** The registering session's confirmation: the account, its chosen password, the merge. */
async function completeRegistration(
  rt: Runtime,
  consumed: ConsumedRegistration,
  from: SessionProof,
  meta: RequestMeta,
  now: number,
  method: 'link' | 'code',
): Promise<SignInAttempt> {
  const claimed = await claimMailbox(rt.db, consumed.email, rt.settings.ADMIN_EMAILS, now)
  let passwordKept = false
  if (consumed.passwordHash !== null && consumed.requestedBySessionId === from.sessionId) {
    passwordKept = await setFirstPassword(rt.db, claimed.account.userId, consumed.passwordHash)
    await clearPendingPassword(rt.db, consumed.email, from.sessionId)
  }
  const outcome = await signIn(rt, from, { kind: 'account', ...claimed }, meta)
  await auditRegistered(rt, outcome, meta, now, { method, passwordKept })
  return outcome
}

function auditRegistered(
  rt: Runtime,
  outcome: SignInAttempt,
  meta: RequestMeta,
  now: number,
  detail: { method: 'link' | 'code'; passwordKept: boolean },
) {
  return recordAuditEvent(
    rt.db,
    {
      type: 'auth.registered',
      userId: outcome.account.userId,
      sessionId: isSecondFactorPending(outcome) ? null : outcome.issued.view.sessionId,
      detail,
    },
    meta,
    now,
  )
}
