/**
 * Step-up: a change that adds or removes a way into an account (a first password, a passkey)
 * needs the session to have signed in moments ago, so a stolen access token alone is not enough.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import { sessionStub } from '../../session'
import { CODE } from '../../contract/error-codes'

/**
 * How recent the sign-in must be: an access token lives 5 minutes, so one copied from a request
 * cannot outlast the window it was issued in.
 */
export const RECENT_SIGN_IN_MS = 5 * 60 * 1000

/** 403 `recent_sign_in_required` unless the session signed in within RECENT_SIGN_IN_MS. */
export async function requireRecentSignIn(
  rt: Runtime,
  sessionId: string,
  now: number,
): Promise<void> {
  const session = await sessionStub(rt, sessionId).status(now)
  const signedInAt = session?.authenticatedAt ?? 0
  if (now - signedInAt > RECENT_SIGN_IN_MS)
    throw new AppError(
      403,
      CODE.recent_sign_in_required,
      'This change needs a sign-in within the last 5 minutes; sign in again.',
    )
}
