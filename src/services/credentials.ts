/**
 * Email + password: register, log in (with exact per-email back-off behind the coarse rate-limit
 * bindings), change password. Both sign-in paths end in `signIn`, which merges anonymous data.
 */
import { normalizeEmail } from '../auth/emails'
import { hashPassword, verifyPassword } from '../auth/passwords'
import type { UserContext } from '../auth/user-context'
import { findUserByEmail, insertAccount, setPasswordHash } from '../db/accounts'
import {
  clearLoginFailures,
  countLoginFailure,
  findLoginAttempts,
  lockLogin,
} from '../db/login-attempts'
import { findUser } from '../db/users'
import { AppError, unauthorized } from '../errors'
import type { RequestMeta } from '../http/request-meta'
import { createId } from '../ids'
import type { Runtime } from '../runtime'
import { limitSignInAttempt } from './rate-limits'
import { accountSubject, roleForEmail } from './accounts'
import { recordAuditEvent } from './audit'
import { listSessions, revokeSessionById } from './sessions'
import { signIn, type SignInOutcome } from './sign-in'

/** Failures allowed before the back-off starts. */
export const LOGIN_FREE_FAILURES = 5
/** The longest back-off, in seconds. */
export const LOGIN_MAX_BACKOFF_SECONDS = 15 * 60

/** 1 s after the fifth failure, doubling with each further one, capped at 15 minutes. */
export function loginBackoffSeconds(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0
  return Math.min(2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_BACKOFF_SECONDS)
}

const invalidCredentials = () =>
  unauthorized('invalid_credentials', 'The email or password is wrong.')

/** What register and login are given; the email is normalised here. */
export interface Credentials {
  email: string
  password: string
}

export async function register(
  rt: Runtime,
  credentials: Credentials,
  caller: UserContext | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const email = normalizeEmail(credentials.email)
  const { password } = credentials
  const now = Date.now()
  const row = await insertAccount(rt.db, {
    id: createId('usr'),
    email,
    role: roleForEmail(rt.settings.ADMIN_EMAILS, email),
    passwordHash: await hashPassword(password),
    now,
  })
  if (!row)
    throw new AppError(
      409,
      'email_taken',
      'An account with this email already exists; sign in instead.',
    )
  await recordAuditEvent(
    rt.db,
    { type: 'auth.registered', userId: row.id, sessionId: caller?.sessionId ?? null },
    meta,
    now,
  )
  return signIn(rt, caller, { kind: 'account', account: accountSubject(row) }, meta)
}

export async function login(
  rt: Runtime,
  credentials: Credentials,
  caller: UserContext | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const email = normalizeEmail(credentials.email)
  const { password } = credentials
  await limitSignInAttempt(rt.limits, email, meta.ip)
  const now = Date.now()
  const attempts = await findLoginAttempts(rt.db, email)
  if (attempts && attempts.lockedUntil > now) {
    const seconds = Math.ceil((attempts.lockedUntil - now) / 1000)
    throw new AppError(
      429,
      'rate_limited',
      `Too many failed sign-ins for this email; try again in ${seconds} s, or sign in by email link.`,
      { 'Retry-After': String(seconds) },
    )
  }
  // Unknown emails cost one derivation too, and are counted the same, so neither timing nor the
  // back-off tells which emails have accounts.
  const user = await findUserByEmail(rt.db, email)
  if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
    const failures = await countLoginFailure(rt.db, email, now)
    const backoff = loginBackoffSeconds(failures)
    if (backoff > 0) await lockLogin(rt.db, email, now + backoff * 1000)
    await recordAuditEvent(
      rt.db,
      {
        type: 'auth.login_failed',
        userId: user?.id ?? null,
        sessionId: caller?.sessionId ?? null,
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
      sessionId: caller?.sessionId ?? null,
      detail: { method: 'password' },
    },
    meta,
    now,
  )
  return signIn(rt, caller, { kind: 'account', account: accountSubject(user) }, meta)
}

/** Changes the password after checking the current one; every other session of the user ends. */
export async function changePassword(
  rt: Runtime,
  caller: UserContext,
  currentPassword: string,
  newPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await findUser(rt.db, caller.id)
  if (!user || user.isAnonymous)
    throw new AppError(403, 'account_required', 'Only an account can have a password.')
  if (user.passwordHash && !(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError(403, 'invalid_credentials', 'The current password is wrong.')
  }
  const now = Date.now()
  await setPasswordHash(rt.db, user.id, await hashPassword(newPassword))
  const others = (await listSessions(rt, user.id)).filter((s) => s.id !== caller.sessionId)
  await Promise.all(others.map((s) => revokeSessionById(rt, s.id, now)))
  await recordAuditEvent(
    rt.db,
    {
      type: 'auth.password_changed',
      userId: user.id,
      sessionId: caller.sessionId,
      detail: { revokedSessions: others.length },
    },
    meta,
    now,
  )
}
