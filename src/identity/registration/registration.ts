/**
 * Registration with a password proves nothing about the mailbox, so it creates no account: the
 * session that registered stays anonymous (its data stays its own) and the address gets a
 * confirmation (a link and a code). Only the confirmation creates the account, proven, and only
 * in the session that registered does it keep the chosen password (./confirmation.ts). The answer
 * is the same whether or not the email has an account, so registering reveals none.
 */
import { normalizeEmail } from '../emails'
import { hashPassword } from '../credentials/passwords'
import { findUserByEmail } from '../account-queries'
import {
  createLinkCode,
  linkMailBudget,
  mailLink,
  normalizeLinkCode,
} from '../magic-links/magic-links'
import { sha256Base64Url } from '../../platform/encoding'
import { unauthorized } from '../../platform/errors'
import type { RequestMeta } from '../../platform/shared-types'
import type { Runtime } from '../../platform/runtime'
import { limitPasswordAttempt } from '../../platform/limits/rate-limits'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import type { SessionProof } from '../sign-in'
import { holdsSession } from '../session-proof'
import { readRevokedBefore } from '../../platform/db/control'
import { CODE } from '../../contract/error-codes'

export const REGISTER_PATH = '/v1/auth/register'

/** What register is given; the email is normalised here. */
export interface Registration {
  email: string
  password: string
}

export const sessionRequired = () =>
  unauthorized(
    CODE.session_required,
    'Register from a session (its session cookie, or refreshToken in the body): the confirmation keeps the password only there.',
  )

/**
 * Mails a confirmation for a new account, or, when a proven account has the address, a notice
 * that one exists. The registering session must prove itself (its refresh credential): the
 * confirmation keeps the password only for that session.
 */
export async function register(
  rt: Runtime,
  registration: Registration,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(registration.email)
  await limitPasswordAttempt(rt.limits, email, meta.ip)
  const now = Date.now()
  if (
    !from ||
    !(await holdsSession(rt, from, { now, revokedBefore: await readRevokedBefore(rt.db) }))
  )
    throw sessionRequired()
  // Hashed for both answers, so the time taken does not tell which emails have accounts.
  const passwordHash = await hashPassword(rt.peppers, registration.password)
  const existing = await findUserByEmail(rt.db, email)
  if (existing?.emailVerifiedAt != null) await mailAccountExists(rt, email)
  else await mailConfirmation(rt, { email, passwordHash, sessionId: from.sessionId, now })
  await recordAuditEvent(
    rt.db,
    { type: 'auth.registration_requested', userId: null, sessionId: from.sessionId },
    meta,
    now,
  )
}

interface PendingRegistration {
  email: string
  passwordHash: string
  sessionId: string
  now: number
}

async function mailConfirmation(rt: Runtime, pending: PendingRegistration): Promise<void> {
  const code = createLinkCode()
  await mailLink(rt, {
    email: pending.email,
    purpose: 'register',
    requestedBySessionId: pending.sessionId,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
    passwordHash: pending.passwordHash,
    // Counted with the address's sign-in links, on the budget strangers share: a registration
    // is no sign-in, so it holds no device credential.
    budget: linkMailBudget(null, pending.now),
    now: pending.now,
    subject: 'Confirm your email',
    text: (link, minutes) =>
      `Someone asked to create an account with this address. If it was you, confirm it within ` +
      `${minutes} minutes by typing this code in the browser where you registered: ${code}\n\n` +
      `or by opening this link there:\n\n${link}\n\nOpened anywhere else, the link creates the ` +
      `account and signs that browser in without the password chosen at registration.\n\n` +
      `If it was not you, ignore this email: no account exists until it is confirmed.`,
  })
}

/** No link and no change: the owner learns that someone tried, and how to get in. */
async function mailAccountExists(rt: Runtime, email: string): Promise<void> {
  await rt.mailer.send({
    to: email,
    subject: 'You already have an account',
    text:
      `Someone asked to create an account with this address, but one already exists, so ` +
      `nothing changed. If it was you, sign in instead (ask for a sign-in link if you forgot ` +
      `your password). If it was not you, ignore this email.`,
  })
}
