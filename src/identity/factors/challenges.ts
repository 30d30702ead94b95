/**
 * Second-factor challenges: what a first-factor sign-in of an account with a factor answers,
 * instead of a session. Five minutes, single use (taken once a code is accepted; a wrong code
 * leaves it), kept in a session object, never in a cookie. Its text is `<sessionId>.<secret>`:
 * the id routes to the object that keeps it, only the secret's hash is stored.
 *
 * Where it lives: a sign-in that proved its session (its refresh credential) keeps the challenge
 * in that session's object, and only that session may answer it (then its anonymous data
 * merges, as the first factor would have). A sign-in that proved no session keeps it in the object
 * of a fresh session id, which nothing else uses: the challenge text is then the only thing that
 * binds the answer to the sign-in, like the session it will start, and nothing merges.
 */
import { AppError } from '../../platform/errors'
import type { Runtime } from '../../platform/runtime'
import type { ClaimedMailbox } from '../../platform/shared-types'
import { randomBytes, sha256Base64Url, toBase64Url } from '../../platform/encoding'
import { ID_PATTERNS } from '../../platform/ids'
import { sessionStub } from '../../session'
import { CODE } from '../../contract/error-codes'

export const SECOND_FACTOR_CHALLENGE_TTL_MS = 5 * 60 * 1000
const PURPOSE = 'second-factor'

/** The methods a challenge may be answered with. */
export const SECOND_FACTOR_METHODS = ['totp', 'recovery_code'] as const
export type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number]

/** A first factor accepted, the second still to come. */
export interface SecondFactorPending {
  challenge: string
  methods: readonly SecondFactorMethod[]
  expiresAt: number
  /** For the Worker's own bookkeeping (audit); never sent to the client. */
  account: ClaimedMailbox['account']
}

/** A challenge as read back: whose, from where, made when. */
export interface OpenChallenge {
  sessionId: string
  secretHash: string
  userId: string
  createdAt: number
  /** The sign-in proved `sessionId`: only it may answer, and its data merges. */
  bound: boolean
  droppedCredentials: boolean
}

export const invalidChallenge = () =>
  new AppError(
    400,
    CODE.invalid_or_expired_challenge,
    'The second-factor challenge is unknown, expired or already used; sign in again.',
  )

/** Where a challenge is kept: the session the sign-in proved (`bound`), or the one it would start. */
export interface ChallengeHome {
  sessionId: string
  bound: boolean
}

/** Keeps a challenge for `claimed`'s second factor in `home`'s object. */
export async function beginSecondFactor(
  rt: Runtime,
  claimed: ClaimedMailbox,
  { sessionId, bound }: ChallengeHome,
  now: number,
): Promise<SecondFactorPending> {
  const secret = toBase64Url(randomBytes(32))
  const expiresAt = now + SECOND_FACTOR_CHALLENGE_TTL_MS
  await sessionStub(rt, sessionId).putChallenge({
    purpose: PURPOSE,
    challenge: await sha256Base64Url(secret),
    userId: claimed.account.userId,
    expiresAt,
    createdAt: now,
    context: { bound, droppedCredentials: claimed.droppedCredentials },
  })
  return {
    challenge: `${sessionId}.${secret}`,
    methods: SECOND_FACTOR_METHODS,
    expiresAt,
    account: claimed.account,
  }
}

/** The live challenge `text` names, left in place; 400 when there is none. */
export async function readChallenge(
  rt: Runtime,
  text: string,
  now: number,
): Promise<OpenChallenge> {
  const dot = text.indexOf('.')
  const sessionId = text.slice(0, dot)
  if (dot < 0 || !ID_PATTERNS.sess.test(sessionId)) throw invalidChallenge()
  const secretHash = await sha256Base64Url(text.slice(dot + 1))
  const pending = await sessionStub(rt, sessionId).peekChallenge(PURPOSE, now)
  if (!pending || pending.challenge !== secretHash) throw invalidChallenge()
  return {
    sessionId,
    secretHash,
    userId: pending.userId,
    createdAt: pending.createdAt ?? 0,
    bound: pending.context?.bound === true,
    droppedCredentials: pending.context?.droppedCredentials === true,
  }
}

/** Uses the challenge up; 400 when another answer took it first (or a newer one replaced it). */
export async function takeChallenge(rt: Runtime, open: OpenChallenge, now: number): Promise<void> {
  const taken = await sessionStub(rt, open.sessionId).takeChallenge(PURPOSE, now)
  if (!taken || taken.challenge !== open.secretHash) throw invalidChallenge()
}
