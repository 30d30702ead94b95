/**
 * Email + password: log in (with an exact back-off per sign-in budget behind the coarse rate-limit
 * bindings), change password. Logging in ends in `signIn`, which merges anonymous data;
 * registering is ./registration/.
 */
import { normalizeEmail } from '../emails'
import { hashPassword, verifyPassword } from './passwords'
import { findUserByEmail, setPasswordHash, upgradePasswordHash } from '../account-queries'
import {
  lockedUntil,
  releaseLoginAttempts,
  reserveLoginAttempt,
  type LoginBudget,
} from './login-attempt-queries'
import { renewDeviceCredential, verifyDeviceCredential } from './device-credentials'
import { findUser } from '../../platform/db/users'
import { AppError, unauthorized } from '../../platform/errors'
import type { RequestMeta, UserContext } from '../../platform/shared-types'
import type { Runtime } from '../../platform/runtime'
import { invalidateLinksOfUser } from '../magic-links/queries'
import { endPendingChallenges, hasConfirmedFactor } from '../factors/queries'
import { endSessionsOf } from '../../session'
import { requireRecentSignIn } from './recent-sign-in'
import { limitPasswordAttempt } from '../../platform/limits/rate-limits'
import { accountSubject } from '../accounts'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { isSecondFactorPending, signIn, type SessionProof, type SignInAttempt } from '../sign-in'
import { CODE } from '../../contract/error-codes'

const invalidCredentials = () =>
  unauthorized(CODE.invalid_credentials, 'The email or password is wrong.')

/** What login is given; the email is normalised here. */
export interface Credentials {
  email: string
  password: string
}

/**
 * A password sign-in, and the device credential its client gets (see device-credentials.ts); null
 * while the account's mailbox is unproven (a password alone proves nothing about it) and while a
 * second factor is still to come.
 */
export type PasswordSignIn = SignInAttempt & { deviceCredential: string | null }

/**
 * Signs in with a password. Each attempt is counted before the password is checked, against the
 * budget of the device credential presented for this email, else the one strangers share, so
 * neither a burst nor strangers' guesses get more checks than the back-off allows, and the
 * owner's device keeps its own.
 */
export async function login(
  rt: Runtime,
  credentials: Credentials,
  from: SessionProof | null,
  meta: RequestMeta,
  presentedDevice: string | null = null,
): Promise<PasswordSignIn> {
  const email = normalizeEmail(credentials.email)
  const { password } = credentials
  const budget: LoginBudget = {
    email,
    deviceId: await verifyDeviceCredential(rt.keyring, email, presentedDevice),
  }
  // The binding's per-email bucket is split the same way, or strangers could fill the owner's.
  await limitPasswordAttempt(
    rt.limits,
    budget.deviceId ? `${email} ${budget.deviceId}` : email,
    meta.ip,
  )
  const now = Date.now()
  const failures = await reserveLoginAttempt(rt.db, budget, now)
  if (failures === null) throw lockedOut(await lockedUntil(rt.db, budget), now)
  // Unknown emails cost one derivation too, and are counted the same, so neither timing nor the
  // back-off tells which emails have accounts.
  const user = await findUserByEmail(rt.db, email)
  const check = await verifyPassword(rt.peppers, password, user?.passwordHash ?? null)
  if (!check.match || !user?.passwordHash) {
    await recordAuditEvent(
      rt.db,
      {
        type: 'auth.login_failed',
        userId: user?.id ?? null,
        sessionId: from?.sessionId ?? null,
        detail: { failures, knownDevice: budget.deviceId !== null },
      },
      meta,
      now,
    )
    throw invalidCredentials()
  }
  await releaseLoginAttempts(rt.db, budget)
  // Only now is the password at hand to hash again in today's form.
  if (check.outdated)
    await upgradePasswordHash(
      rt.db,
      user.id,
      user.passwordHash,
      await hashPassword(rt.peppers, password),
    )
  await recordAuditEvent(
    rt.db,
    {
      type: 'auth.login',
      userId: user.id,
      sessionId: from?.sessionId ?? null,
      detail: { method: 'password' },
    },
    meta,
    now,
  )
  const outcome = await signIn(
    rt,
    from,
    { kind: 'account', account: accountSubject(user), droppedCredentials: false },
    meta,
  )
  const deviceCredential =
    user.emailVerifiedAt === null || isSecondFactorPending(outcome)
      ? null
      : await renewDeviceCredential(rt.keyring, email, presentedDevice)
  return { ...outcome, deviceCredential }
}

function lockedOut(until: number, now: number): AppError {
  // The lock may have ended between the two reads: a second is the least worth waiting.
  const seconds = Math.max(1, Math.ceil((until - now) / 1000))
  return new AppError(
    429,
    CODE.rate_limited,
    `Too many failed sign-ins for this email; try again in ${seconds} s, or sign in by email link.`,
    { 'Retry-After': String(seconds) },
  )
}

/**
 * Sets or changes the password: with the current one, or after a recent sign-in (recent-sign-in.ts:
 * a first password, or a forgotten one replaced after a link sign-in). Every other session of
 * the user ends and every sign-in link of theirs dies.
 */
export async function changePassword(
  rt: Runtime,
  caller: UserContext,
  currentPassword: string | undefined,
  newPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await findUser(rt.db, caller.id)
  if (!user || user.isAnonymous)
    throw new AppError(403, CODE.account_required, 'Only an account can have a password.')
  const now = Date.now()
  // The current password proves the caller knows it; without it (a first password, or a
  // forgotten one after a link sign-in) only a sign-in minutes old will do.
  if (user.passwordHash && currentPassword !== undefined) {
    if (!(await verifyPassword(rt.peppers, currentPassword, user.passwordHash)).match)
      throw new AppError(403, CODE.invalid_credentials, 'The current password is wrong.')
    // The current password is one factor; an account with two asks for the step-up as well.
    if (await hasConfirmedFactor(rt.db, user.id))
      await requireRecentSignIn(rt, caller.sessionId, now)
  } else {
    await requireRecentSignIn(rt, caller.sessionId, now)
  }
  await setPasswordHash(rt.db, user.id, await hashPassword(rt.peppers, newPassword))
  const [ended] = await Promise.all([
    endSessionsOf(rt, user.id, now, caller.sessionId),
    invalidateLinksOfUser(rt.db, user.id, now),
    endPendingChallenges(rt.db, user.id, now),
  ])
  await recordAuditEvent(
    rt.db,
    {
      type: 'auth.password_changed',
      userId: user.id,
      sessionId: caller.sessionId,
      detail: { revokedSessions: ended },
    },
    meta,
    now,
  )
}
