/**
 * WebAuthn challenges: single use, five minutes, kept in the object of the session that asked
 * (never in a cookie a client could replay) and taken from the object of the session that answers.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import { sessionStub, type PendingChallenge } from '../../session'
import { CODE } from '../../contract/error-codes'

export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000

/**
 * `sign-up`: a new account made with the passkey; `add`: a passkey for the signed-in account;
 * `sign-in`: any passkey (discoverable credentials).
 */
export type PasskeyCeremony = 'passkey.sign-up' | 'passkey.add' | 'passkey.sign-in'

export async function keepChallenge(
  rt: Runtime,
  sessionId: string,
  ceremony: PasskeyCeremony,
  challenge: string,
  userId: string,
  now: number,
): Promise<void> {
  await sessionStub(rt, sessionId).putChallenge({
    purpose: ceremony,
    challenge,
    userId,
    expiresAt: now + PASSKEY_CHALLENGE_TTL_MS,
  })
}

/** The session's pending challenge for `ceremony`, now used up; 400 when none is live. */
export async function takeChallenge(
  rt: Runtime,
  sessionId: string,
  ceremony: PasskeyCeremony,
  now: number,
): Promise<PendingChallenge> {
  const pending = await sessionStub(rt, sessionId).takeChallenge(ceremony, now)
  if (!pending) throw new AppError(400, CODE.invalid_or_expired_challenge)
  return pending
}
