/**
 * Magic links: 32 random bytes, only the hash stored, mailed as a link to a page whose button
 * POSTs the token (mail scanners that prefetch links consume nothing). Verifying consumes the link
 * with one conditional D1 update inside the caller's session object; see `SessionDO.signIn`.
 */
import { normalizeEmail } from '../auth/emails'
import type { UserContext } from '../auth/user-context'
import { insertMagicLink } from '../db/magic-links'
import { randomBytes, sha256Base64Url, toBase64Url } from '../encoding'
import type { RequestMeta } from '../http/request-meta'
import type { Runtime } from '../runtime'
import { limitSignInAttempt } from './rate-limits'
import { recordAuditEvent } from './audit'
import { invalidMagicLink, signIn, type SignInOutcome } from './sign-in'

export const MAGIC_LINK_PATH = '/v1/auth/magic-link'
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** Creates and mails a link; answers the same whether or not the email has an account. */
export async function requestMagicLink(
  rt: Runtime,
  rawEmail: string,
  caller: UserContext | null,
  origin: string,
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(rawEmail)
  await limitSignInAttempt(rt.limits, email, meta.ip)
  const now = Date.now()
  const token = toBase64Url(randomBytes(32))
  await insertMagicLink(rt.db, {
    tokenHash: await sha256Base64Url(token),
    email,
    createdAt: now,
    expiresAt: now + rt.settings.MAGIC_LINK_TTL * 1000,
    requestedBySessionId: caller?.sessionId ?? null,
  })
  const link = `${origin}${MAGIC_LINK_PATH}?token=${token}`
  const minutes = Math.round(rt.settings.MAGIC_LINK_TTL / 60)
  await rt.mailer.send({
    to: email,
    subject: 'Your sign-in link',
    text: `Open this link to sign in. It works once, for ${minutes} minutes:\n\n${link}\n\nIf you did not ask for it, ignore this email.`,
    link,
    token,
  })
  await recordAuditEvent(
    rt.db,
    { type: 'magic_link.sent', userId: caller?.id ?? null, sessionId: caller?.sessionId ?? null },
    meta,
    now,
  )
}

export async function verifyMagicLink(
  rt: Runtime,
  token: string,
  caller: UserContext | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  if (!TOKEN_PATTERN.test(token)) throw invalidMagicLink()
  const tokenHash = await sha256Base64Url(token)
  const outcome = await signIn(
    rt,
    caller,
    { kind: 'magic-link', tokenHash, adminEmails: rt.settings.ADMIN_EMAILS },
    meta,
  )
  await recordAuditEvent(
    rt.db,
    {
      type: 'magic_link.verified',
      userId: outcome.account.userId,
      sessionId: outcome.issued.view.sessionId,
    },
    meta,
    Date.now(),
  )
  return outcome
}
