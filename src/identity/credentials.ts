/**
 * Email + password: log in (with exact per-email back-off behind the coarse rate-limit
 * bindings), change password. Logging in ends in `signIn`, which merges anonymous data; registering is
 * ./registration/.
 */
import { normalizeEmail } from './emails'
import { hashPassword, verifyPassword } from './passwords'
import { findUserByEmail, setPasswordHash } from './account-queries'
import {
  clearLoginFailures,
  countLoginFailure,
  findLoginAttempts,
  lockLogin,
} from './login-attempt-queries'
import { findUser } from '../platform/db/users'
import { AppError, unauthorized } from '../platform/errors'
import type { RequestMeta, UserContext } from '../platform/shared-types'
import type { Runtime } from '../platform/runtime'
import { invalidateLinksOfUser } from './magic-links/queries'
import { endSessionsOf, sessionStub } from '../session'
import { limitPasswordAttempt } from '../platform/rate-limits'
import { accountSubject } from './accounts'
import { recordAuditEvent } from '../platform/audit/audit-log'
import { signIn, type SessionProof, type SignInOutcome } from './sign-in'
import { CODE } from '../contract/error-codes'

/** Failures allowed before the back-off starts. */
export const LOGIN_FREE_FAILURES = 5
/** Each quiet stretch this long forgets one failure, so an owner's old typos do not add up. */
export const LOGIN_FAILURE_DECAY_MS = 15 * 60 * 1000
/**
 * How recent a sign-in must be to set a first password without a current one: a stolen access
 * token alone (5 minutes) must not be enough to add a credential to an account.
 */
export const RECENT_SIGN_IN_MS = 5 * 60 * 1000
/** The longest back-off, in seconds. */
export const LOGIN_MAX_BACKOFF_SECONDS = 15 * 60

/** 1 s after the fifth failure, doubling with each further one, capped at 15 minutes. */
export function loginBackoffSeconds(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0
  return Math.min(2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_BACKOFF_SECONDS)
}

const invalidCredentials = () =>
  unauthorized(CODE.invalid_credentials, 'The email or password is wrong.')

/** What login is given; the email is normalised here. */
export interface Credentials {
  email: string
  password: string
}

export async function login(
  rt: Runtime,
  credentials: Credentials,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const email = normalizeEmail(credentials.email)
  const { password } = credentials
  await limitPasswordAttempt(rt.limits, email, meta.ip)
  const now = Date.now()
  const attempts = await findLoginAttempts(rt.db, email)
  if (attempts && attempts.lockedUntil > now) {
    const seconds = Math.ceil((attempts.lockedUntil - now) / 1000)
    throw new AppError(
      429,
      CODE.rate_limited,
      `Too many failed sign-ins for this email; try again in ${seconds} s, or sign in by email link.`,
      { 'Retry-After': String(seconds) },
    )
  }
  // Unknown emails cost one derivation too, and are counted the same, so neither timing nor the
  // back-off tells which emails have accounts.
  const user = await findUserByEmail(rt.db, email)
  if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
    const failures = await countLoginFailure(rt.db, email, now, LOGIN_FAILURE_DECAY_MS)
    const backoff = loginBackoffSeconds(failures)
    if (backoff > 0) await lockLogin(rt.db, email, now + backoff * 1000)
    await recordAuditEvent(
      rt.db,
      {
        type: 'auth.login_failed',
        userId: user?.id ?? null,
        sessionId: from?.sessionId ?? null,
        detail: { failures },
      },
      meta,
      now,
    )
    throw invalidCredentials()
  }
  if (attempts) await clearLoginFailures(rt.db, email)
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
  return signIn(
    rt,
    from,
    { kind: 'account', account: accountSubject(user), droppedCredentials: false },
    meta,
  )
}

/**
 * Sets or changes the password: the current one is needed when there is one; an account without
 * one (made by a sign-in link) needs a sign-in within RECENT_SIGN_IN_MS. Every other session of
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
  if (user.passwordHash) {
    if (!(await verifyPassword(currentPassword ?? '', user.passwordHash)))
      throw new AppError(403, CODE.invalid_credentials, 'The current password is wrong.')
  } else {
    const session = await sessionStub(rt, caller.sessionId).status(now)
    const signedInAt = session?.authenticatedAt ?? 0
    if (now - signedInAt > RECENT_SIGN_IN_MS)
      throw new AppError(
        403,
        CODE.recent_sign_in_required,
        'Setting a first password needs a sign-in within the last 5 minutes; sign in by email link again.',
      )
  }
  await setPasswordHash(rt.db, user.id, await hashPassword(newPassword))
  const [ended] = await Promise.all([
    endSessionsOf(rt, user.id, now, caller.sessionId),
    invalidateLinksOfUser(rt.db, user.id, now),
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
