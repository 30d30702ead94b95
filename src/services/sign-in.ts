/**
 * Signing a caller into an account, whatever proved who they are (password or magic link). From
 * an anonymous session the session itself becomes the account's (merge, same id, new secret);
 * from no session, or from another account's session, a new session starts.
 */
import type { SignInTarget } from '../../durable-objects/session'
import type { UserContext } from '../auth/user-context'
import { AppError } from '../errors'
import type { RequestMeta } from '../http/request-meta'
import { consumeMagicLink } from '../db/magic-links'
import { sessionStub, type Runtime } from '../runtime'
import { findOrCreateAccount, roleForEmail, type AccountSubject } from './accounts'
import { recordAuditEvent } from './audit'
import type { MergeReport } from './merge'
import { enforceSessionLimit, issue, startSession, type IssuedSession } from './sessions'

export interface SignInOutcome {
  issued: IssuedSession
  /** The merge report when the caller came from an anonymous session, else null. */
  merge: MergeReport | null
  account: AccountSubject
}

export const invalidMagicLink = () =>
  new AppError(
    400,
    'invalid_or_expired_token',
    'This sign-in link is invalid, expired or already used.',
  )

export async function signIn(
  rt: Runtime,
  caller: UserContext | null,
  target: SignInTarget,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const now = Date.now()
  let account: AccountSubject | undefined
  if (caller) {
    const result = await sessionStub(rt, caller.sessionId).signIn({
      target,
      now,
      idleTtlSeconds: rt.settings.SESSION_IDLE_TTL,
    })
    if (result.ok) {
      if (result.mergedNow && result.merge) {
        const { moved, conflicts } = result.merge
        await recordAuditEvent(
          rt.db,
          {
            type: 'auth.merged',
            userId: result.account.userId,
            sessionId: caller.sessionId,
            detail: { from: result.merge.from, moved, conflicts: conflicts.length },
          },
          meta,
          now,
        )
      }
      // The account may now hold more sessions than allowed: this one joined it.
      await enforceSessionLimit(rt, result.account.userId, meta, now)
      return {
        issued: await issue(rt, result.session, result.secret, now),
        merge: result.merge,
        account: result.account,
      }
    }
    if (result.reason === 'invalid_link') throw invalidMagicLink()
    if (result.reason === 'other_account') account = result.account
  }
  account ??= await resolveWithoutSession(rt, target, now)
  const issued = await startSession(rt, { ...account, isAnonymous: false }, meta, now)
  return { issued, merge: null, account }
}

/** The account when no live session of the caller's can remember a magic link for us. */
async function resolveWithoutSession(
  rt: Runtime,
  target: SignInTarget,
  now: number,
): Promise<AccountSubject> {
  if (target.kind === 'account') return target.account
  const email = await consumeMagicLink(rt.db, target.tokenHash, null, now)
  if (!email) throw invalidMagicLink()
  return findOrCreateAccount(rt.db, email, roleForEmail(target.adminEmails, email), now)
}
