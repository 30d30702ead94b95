/**
 * The D1 half of the sign-in step a session's object runs under its lock: which account a target
 * names (consuming a sign-in link, once across all sessions) and the anonymous user's merge into
 * it. The object decides (this session, this proof, this target) and stores what comes back; it
 * never talks to D1 about accounts itself.
 */
import type { Db } from '../platform/db/client'
import type { UserKeys } from '../platform/crypto/user-keys'
import type { BaseRuntime } from '../platform/runtime-base'
import type { SessionEventQueue } from '../contract/events'
import type { ClaimedMailbox, MergeReport } from '../platform/shared-types'
import type {
  LinkChange,
  RememberedLink,
  SessionRecord,
  SignInInput,
  SignInTarget,
} from '../session'
import { mergeMovers } from '../user-data'
import { findUserByEmail } from './account-queries'
import { accountSubject, claimMailbox } from './accounts'
import { consumeMagicLink, findReplayableLink } from './magic-links/queries'
import { mergeAnonymousUser } from './merge/merge'
import { asksSecondFactor } from './factors/gate'

/** What the step needs of the runtime the object built. */
export interface SignInStepContext {
  db: Db
  userKeys: UserKeys
  /** Where `user.merged` goes for other Workers, once the merge has committed. */
  events: SessionEventQueue | undefined
  adminEmails: readonly string[]
}

/** The step's context from the runtime the object built. */
export function signInStepContext(rt: BaseRuntime): SignInStepContext {
  const { db, userKeys, events, settings } = rt
  return { db, userKeys, events, adminEmails: settings.ADMIN_EMAILS }
}

export interface LinkOptions {
  /** The session the link is consumed for: the caller's, or the one about to start. */
  sessionId: string
  now: number
  revokedBefore: number
  adminEmails: readonly string[]
}

/** A consumed sign-in link: the account of its mailbox, and what its session keeps of it. */
export interface ConsumedLink {
  claimed: ClaimedMailbox
  link: RememberedLink
}

/**
 * Consumes a sign-in link (one conditional UPDATE: exactly one caller wins across all sessions)
 * and claims its mailbox's account; null when the link is unknown, used, expired or revoked.
 */
export async function consumeSignInLink(
  db: Db,
  tokenHash: string,
  options: LinkOptions,
): Promise<ConsumedLink | null> {
  const { sessionId, now, revokedBefore } = options
  const row = await consumeMagicLink(db, tokenHash, {
    purpose: 'sign_in',
    sessionId,
    now,
    revokedBefore,
  })
  if (!row) return null
  const claimed = await claimMailbox(db, row.email, options.adminEmails, now)
  return { claimed, link: { expiresAt: row.expiresAt } }
}

export interface ResolveAccountInput {
  sessionId: string
  target: SignInTarget
  now: number
  revokedBefore: number
  /** What the session kept of this very link, when it consumed it before. */
  remembered: RememberedLink | undefined
}

/**
 * The account a sign-in targets (null: the link is unknown, used, expired or revoked), what the
 * session's memory of the link becomes, and whether the account must still pass its second factor.
 */
export interface AccountResolution {
  claimed: ClaimedMailbox | null
  link: LinkChange
  secondFactorRequired: boolean
}

const UNCHANGED: LinkChange = { kind: 'none' }

/**
 * Every way in resolves its account here, so this is where an account with a second factor
 * stops a proof that does not cover it, whichever method it was: nothing merges, no session.
 */
export async function resolveSignInAccount(
  ctx: SignInStepContext,
  input: ResolveAccountInput,
): Promise<AccountResolution> {
  const found = await resolveAccount(ctx, input)
  const secondFactorRequired =
    found.claimed !== null && (await asksSecondFactor(ctx.db, found.claimed, input.target))
  return { ...found, secondFactorRequired }
}

/**
 * A second click from the session that consumed a link gets the same success; the repeat is
 * checked against D1, so it dies with logout-all, a password change, an erase (the row goes) or
 * the kill switch.
 */
async function resolveAccount(
  ctx: SignInStepContext,
  input: ResolveAccountInput,
): Promise<Omit<AccountResolution, 'secondFactorRequired'>> {
  const { target, sessionId, now, revokedBefore, remembered } = input
  if (target.kind === 'account') {
    const claimed = { account: target.account, droppedCredentials: target.droppedCredentials }
    return { claimed, link: UNCHANGED }
  }
  if (remembered) {
    const email =
      now < remembered.expiresAt
        ? await findReplayableLink(ctx.db, target.tokenHash, sessionId, now, revokedBefore)
        : undefined
    const row = email ? await findUserByEmail(ctx.db, email) : undefined
    if (!row) return { claimed: null, link: { kind: 'forget' } }
    return { claimed: { account: accountSubject(row), droppedCredentials: false }, link: UNCHANGED }
  }
  const consumed = await consumeSignInLink(ctx.db, target.tokenHash, {
    sessionId,
    now,
    revokedBefore,
    adminEmails: ctx.adminEmails,
  })
  if (!consumed) return { claimed: null, link: UNCHANGED }
  return { claimed: consumed.claimed, link: { kind: 'remember', link: consumed.link } }
}

export interface SessionMerge {
  report: MergeReport
  /** False when an earlier sign-in already merged: nothing moved this time. */
  performed: boolean
}

/** Merges the session's anonymous user into the account, exactly once (a retry gets the report). */
export async function mergeSessionUser(
  ctx: SignInStepContext,
  session: Pick<SessionRecord, 'sessionId' | 'userId'>,
  into: string,
  { now, quotas }: Pick<SignInInput, 'now' | 'quotas'>,
): Promise<SessionMerge> {
  const { report, performed } = await mergeAnonymousUser(
    ctx.db,
    { from: session.userId, into, sessionId: session.sessionId, now, quotas, ...mergeKeys(ctx) },
    mergeMovers,
  )
  return { report, performed }
}

/** What the merge needs besides D1: the keys the moved secrets are sealed under, the event queue. */
function mergeKeys({ userKeys, events }: SignInStepContext) {
  return { userKeys, events }
}
