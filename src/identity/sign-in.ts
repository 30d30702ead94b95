/**
 * Signing a caller into an account, whatever proved who they are (a password, a sign-in link, or
 * the link's code). A request that proves its session with that session's refresh secret signs
 * the session itself in: an anonymous one merges into the account (same id, new secret). Without
 * that proof (an access token alone, no session, a link asked for by another session) a new
 * session starts and nothing merges: an access token proves less than a refresh credential, and a
 * link can be mailed to the wrong person.
 */
import {
  endSessionsOf,
  enforceSessionLimit,
  issue,
  sessionStub,
  startSession,
  touchSession,
  type SignInResult,
  type SignInTarget,
  type StartSessionOptions,
} from '../session'
import type { RefreshTokenParts } from '../platform/tokens/refresh-token'
import { readRevokedBefore } from '../platform/db/control'
import { findMagicLink, invalidateLinksOfUser } from './magic-links/queries'
import { resolveSignInAccount, signInStepContext } from './sign-in-step'
import { beginSecondFactor, type SecondFactorPending } from './factors/challenges'
import { deleteSecondFactor } from './factors/queries'
import { AppError, unauthorized, unreachable } from '../platform/errors'
import type {
  AccountSubject,
  ClaimedMailbox,
  IssuedSession,
  MergeReport,
  RequestMeta,
} from '../platform/shared-types'
import { createId } from '../platform/ids'
import type { Runtime } from '../platform/runtime'
import { quotaSettingsOf } from '../user-data'
import { recordAuditEvent } from '../platform/audit/audit-log'
import { CODE } from '../contract/error-codes'

export interface SignInOutcome {
  issued: IssuedSession
  /** The merge report when the caller's anonymous session signed in, else null. */
  merge: MergeReport | null
  account: AccountSubject
}

/**
 * What a sign-in comes to: signed in, or (the account has a second factor the proof does not
 * cover) a challenge to answer at /v1/auth/second-factor, with no session and nothing merged.
 */
export type SignInAttempt = SignInOutcome | SecondFactorPending

export const isSecondFactorPending = (attempt: SignInAttempt): attempt is SecondFactorPending =>
  'challenge' in attempt

/** The session a request proved it holds: its id and its refresh secret. */
export type SessionProof = RefreshTokenParts

export const invalidMagicLink = () =>
  new AppError(
    400,
    CODE.invalid_or_expired_token,
    'This sign-in link is invalid, expired or already used.',
  )

/** 401: the request did not prove the session that asked for the link. */
export const unprovenSession = () =>
  unauthorized(CODE.session_required, 'The session that asked for the link did not prove it.')

/**
 * Signs in; `from` is the session the request proved, if any. Without one, the new session gets
 * `sessionId` (a second factor finishing names the one its challenge was kept for).
 */
export async function signIn(
  rt: Runtime,
  from: SessionProof | null,
  target: SignInTarget,
  meta: RequestMeta,
  sessionId: string = createId('sess'),
): Promise<SignInAttempt> {
  const now = Date.now()
  const revokedBefore = await readRevokedBefore(rt.db)
  let claimed: ClaimedMailbox | undefined
  if (from && (await isBoundTo(rt, target, from.sessionId))) {
    const result = await signInSession(rt, from, target, now, revokedBefore, meta)
    if (result.ok) return completeInSession(rt, from, result, target, meta, now)
    switch (result.reason) {
      case 'invalid_link':
        throw invalidMagicLink()
      case 'second_factor_required':
        return beginSecondFactor(rt, result, { sessionId: from.sessionId, bound: true }, now)
      case 'other_account':
        claimed = result
        break
      case 'unproven':
        break
      default:
        return unreachable(result)
    }
  }
  // No session proved, or another account's: a new session of the account, nothing merges.
  const start: StartSessionOptions & { sessionId: string } = { sessionId }
  if (!claimed) {
    // The same resolution (and second-factor gate) the session's object runs, for no session.
    const step = signInStepContext(rt)
    const found = await resolveSignInAccount(step, {
      ...{ sessionId, target, now, revokedBefore, remembered: undefined },
    })
    if (!found.claimed) throw invalidMagicLink()
    if (found.secondFactorRequired)
      return beginSecondFactor(rt, found.claimed, { sessionId, bound: false }, now)
    claimed = found.claimed
    if (target.kind === 'magic-link' && found.link.kind === 'remember')
      start.rememberLink = { tokenHash: target.tokenHash, ...found.link.link }
  }
  return startAccountSession(rt, claimed, start, target, meta, now)
}

/**
 * Signs in with a proof that covers both factors (a passkey with user verification, a second
 * factor just accepted): an account's second factor is not asked for again.
 */
export async function signInWithBothFactors(
  rt: Runtime,
  from: SessionProof | null,
  target: Extract<SignInTarget, { kind: 'account' }>,
  meta: RequestMeta,
  sessionId?: string,
): Promise<SignInOutcome> {
  const attempt = await signIn(rt, from, { ...target, secondFactorProven: true }, meta, sessionId)
  if (isSecondFactorPending(attempt)) throw new Error('a two-factor proof was asked for a factor')
  return attempt
}

/** A new session of the account beside whatever session the caller had: nothing merges. */
export async function startAccountSession(
  rt: Runtime,
  claimed: ClaimedMailbox,
  start: StartSessionOptions & { sessionId: string },
  target: SignInTarget,
  meta: RequestMeta,
  now: number,
): Promise<SignInOutcome> {
  const { account } = claimed
  const issued = await startSession(rt, { ...account, isAnonymous: false }, meta, now, start)
  await dropUnprovenCredentials(rt, claimed, start.sessionId, target, meta, now)
  return { issued, merge: null, account }
}

/**
 * Signs the proven session in with a link's short code, typed in the browser that asked for the
 * link: the way to bring that browser's data across when the link was opened on another device.
 */
export async function signInWithinSession(
  rt: Runtime,
  from: SessionProof,
  claimed: ClaimedMailbox,
  meta: RequestMeta,
): Promise<SignInAttempt> {
  const now = Date.now()
  const target: SignInTarget = { kind: 'account', ...claimed }
  const result = await signInSession(rt, from, target, now, await readRevokedBefore(rt.db), meta)
  if (result.ok) return completeInSession(rt, from, result, target, meta, now)
  switch (result.reason) {
    case 'second_factor_required':
      return beginSecondFactor(rt, result, { sessionId: from.sessionId, bound: true }, now)
    // The asking browser is signed in to another account: this one gets a session beside it.
    case 'other_account':
      return startAccountSession(rt, claimed, { sessionId: createId('sess') }, target, meta, now)
    case 'unproven':
    case 'invalid_link':
      throw unprovenSession()
    default:
      return unreachable(result)
  }
}

function signInSession(
  rt: Runtime,
  from: SessionProof,
  target: SignInTarget,
  now: number,
  revokedBefore: number,
  meta: RequestMeta,
): Promise<SignInResult> {
  return sessionStub(rt, from.sessionId).signIn({
    // An issued session materialises here, from the request that signs it in.
    sessionId: from.sessionId,
    origin: meta,
    target,
    presented: from.secret,
    now,
    idleTtlSeconds: rt.settings.SESSION_IDLE_TTL,
    reuseGraceSeconds: rt.settings.REFRESH_REUSE_GRACE,
    revokedBefore,
    quotas: quotaSettingsOf(rt.settings),
  })
}

async function completeInSession(
  rt: Runtime,
  from: SessionProof,
  result: Extract<SignInResult, { ok: true }>,
  target: SignInTarget,
  meta: RequestMeta,
  now: number,
): Promise<SignInOutcome> {
  const userId = result.account.userId
  if (result.mergedNow && result.merge) {
    const { moved, conflicts } = result.merge
    await recordAuditEvent(
      rt.db,
      {
        type: 'auth.merged',
        userId,
        sessionId: from.sessionId,
        detail: { from: result.merge.from, moved, conflicts: conflicts.length },
      },
      meta,
      now,
    )
  }
  await Promise.all([
    dropUnprovenCredentials(rt, result, from.sessionId, target, meta, now),
    // The index row follows the object's new expiry and owner, so listing and the sweep see it.
    touchSession(rt.db, { id: from.sessionId, userId, expiresAt: result.session.expiresAt }, now),
  ])
  // The account may now hold more sessions than allowed: this one joined it.
  await enforceSessionLimit(rt, userId, meta, now)
  return {
    issued: await issue(rt, result.session, result.secret, now),
    merge: result.merge,
    account: result.account,
  }
}

/**
 * A link goes through the session that asked for it (or already used it): only that session's
 * data merges. Any other session opening it signs in beside its own data, never merging it.
 */
async function isBoundTo(rt: Runtime, target: SignInTarget, sessionId: string): Promise<boolean> {
  if (target.kind === 'account') return true
  const link = await findMagicLink(rt.db, target.tokenHash)
  return link?.requestedBySessionId === sessionId || link?.consumedBySessionId === sessionId
}

/**
 * A mailbox was just proven on an account whose email never had been: whoever set its password
 * or holds its other sessions only typed the address. Their sessions end and their links die.
 */
async function dropUnprovenCredentials(
  rt: Runtime,
  claimed: ClaimedMailbox,
  keepSessionId: string,
  target: SignInTarget,
  meta: RequestMeta,
  now: number,
): Promise<void> {
  if (!claimed.droppedCredentials) return
  const userId = claimed.account.userId
  const keepLink = target.kind === 'magic-link' ? target.tokenHash : null
  const [ended] = await Promise.all([
    endSessionsOf(rt, userId, now, keepSessionId),
    invalidateLinksOfUser(rt.db, userId, now, keepLink),
    deleteSecondFactor(rt.db, userId),
  ])
  await recordAuditEvent(
    rt.db,
    {
      type: 'auth.mailbox_proven',
      userId,
      sessionId: keepSessionId,
      detail: { droppedPassword: true, revokedSessions: ended },
    },
    meta,
    now,
  )
}
