/**
 * Sign-in links: 32 random bytes, only the hash stored, mailed as a link whose token rides in the
 * fragment (`#token=`), which browsers never send to a server, to a page whose button POSTs it (mail
 * scanners that prefetch links consume nothing). Beside the link, a short code that the browser
 * which asked for the link can type to sign itself in when the link was opened elsewhere.
 * The same links, with the purpose `verify_email`, confirm a registration's address.
 */
import { normalizeEmail } from '../emails'
import { readRevokedBefore } from '../../platform/db/control'
import { markEmailProven } from '../account-queries'
import {
  consumeLinkCode,
  consumeMagicLink,
  countCodeFailure,
  countLinksSince,
  findMagicLink,
  insertMagicLink,
} from './queries'
import type { MagicLinkPurpose } from '../../platform/db/schema'
import { randomBytes, sha256Base64Url, toBase64Url } from '../../platform/encoding'
import { AppError } from '../../platform/errors'
import type { RequestMeta } from '../../platform/shared-types'
import type { Runtime } from '../../platform/runtime'
import { renderMailHtml } from '../../platform/mail/templates'
import { sessionStub } from '../../session'
import { claimMailbox, roleForEmail } from '../accounts'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import {
  invalidMagicLink,
  signIn,
  signInWithinSession,
  type SessionProof,
  type SignInOutcome,
} from '../sign-in'
import { CODE } from '../../contract/error-codes'

export const MAGIC_LINK_PATH = '/v1/auth/magic-link'
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/**
 * Link mails one address receives per hour at most, whoever asks: a flood of requests for
 * someone's address fills nobody's mailbox. Past it, requests still answer 202 and send nothing.
 */
export const LINK_MAILS_PER_EMAIL_PER_HOUR = 5
const HOUR_MS = 3_600_000

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CODE_LENGTH = 8

/** `XXXX-XXXX`: 40 bits, typed at most five times, only in the session that asked. */
export function createLinkCode(): string {
  const chars = [...randomBytes(CODE_LENGTH)].map((byte) => CODE_ALPHABET[byte % 32])
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`
}

/** Upper-cases, drops separators and maps the letters people confuse (O→0, I/L→1). */
export function normalizeLinkCode(code: string): string {
  return code
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replaceAll('O', '0')
    .replace(/[IL]/g, '1')
}

/** `jo•••@example.com`: enough for the owner to recognise the account, not to learn it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  const local = email.slice(0, at)
  return `${local.slice(0, Math.min(2, Math.max(1, local.length - 1)))}•••${email.slice(at)}`
}

/** Creates and mails a sign-in link; answers the same whether or not the email has an account. */
export async function requestMagicLink(
  rt: Runtime,
  rawEmail: string,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(rawEmail)
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const now = Date.now()
  if ((await countLinksSince(rt.db, email, now - HOUR_MS)) >= LINK_MAILS_PER_EMAIL_PER_HOUR) {
    // The address is not logged: the line says only that the cap held.
    console.warn(JSON.stringify({ level: 'warn', msg: 'link mail cap reached; nothing sent' }))
    return
  }
  // The link binds to the asking session only if the request proved it: a session id is public,
  // and a link bound to someone else's session would merge their data into the asker's account.
  const revokedBefore = await readRevokedBefore(rt.db)
  const proven =
    from !== null &&
    (await sessionStub(rt, from.sessionId).holds(from.secret, {
      sessionId: from.sessionId,
      now,
      reuseGraceSeconds: rt.settings.REFRESH_REUSE_GRACE,
      revokedBefore,
    }))
  const requestedBySessionId = proven ? from.sessionId : null
  const code = createLinkCode()
  await mailLink(rt, {
    email,
    purpose: 'sign_in',
    requestedBySessionId,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
    now,
    subject: 'Your sign-in link',
    text: (link, minutes) =>
      `Open this link to sign in. It works once, for ${minutes} minutes:\n\n${link}\n\n` +
      `Opening it on another device? To bring what you did in the first browser with you, ` +
      `type this code there instead: ${code}\n\nIf you did not ask for it, ignore this email.`,
  })
  await recordAuditEvent(
    rt.db,
    { type: 'magic_link.sent', userId: null, sessionId: requestedBySessionId },
    meta,
    now,
  )
}

/**
 * Mails the confirmation link of a new registration. Confirming keeps the password set at
 * registration; a sign-in link instead would drop it. A mail failure does not undo the account.
 */
export async function requestEmailConfirmation(
  rt: Runtime,
  email: string,
  sessionId: string,
): Promise<void> {
  try {
    await mailLink(rt, {
      email,
      purpose: 'verify_email',
      requestedBySessionId: sessionId,
      codeHash: null,
      now: Date.now(),
      subject: 'Confirm your email',
      text: (link, minutes) =>
        `Someone created an account with this address. If it was you, confirm it within ` +
        `${minutes} minutes:\n\n${link}\n\nIf it was not you, do not confirm: sign in with a ` +
        `sign-in link instead, which removes any password someone else set.`,
    })
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'confirmation mail not sent', error: String(error) }),
    )
  }
}

interface LinkMail {
  email: string
  purpose: MagicLinkPurpose
  requestedBySessionId: string | null
  codeHash: string | null
  now: number
  subject: string
  text: (link: string, minutes: number) => string
}

/** Stores a link's hash and mails the link, built from PUBLIC_ORIGIN, never from `Host`. */
async function mailLink(rt: Runtime, mail: LinkMail): Promise<void> {
  const token = toBase64Url(randomBytes(32))
  await insertMagicLink(rt.db, {
    tokenHash: await sha256Base64Url(token),
    email: mail.email,
    purpose: mail.purpose,
    createdAt: mail.now,
    expiresAt: mail.now + rt.settings.MAGIC_LINK_TTL * 1000,
    requestedBySessionId: mail.requestedBySessionId,
    codeHash: mail.codeHash,
  })
  const link = `${rt.settings.PUBLIC_ORIGIN}${MAGIC_LINK_PATH}#token=${token}`
  const minutes = Math.round(rt.settings.MAGIC_LINK_TTL / 60)
  const text = mail.text(link, minutes)
  const { PRODUCT_NAME: productName, PUBLIC_ORIGIN: origin } = rt.settings
  await rt.mailer.send({
    to: mail.email,
    subject: mail.subject,
    text,
    html: renderMailHtml({ subject: mail.subject, text, link, productName, origin }),
    link,
    token,
  })
}

/** What the link page shows before anything is consumed. */
export interface LinkPreview {
  purpose: MagicLinkPurpose
  /** The account the link is for, masked. */
  email: string
  /** True when this browser's session asked for the link: only then does its data merge. */
  sameSession: boolean
}

export async function previewMagicLink(
  rt: Runtime,
  token: string,
  sessionId: string | null,
): Promise<LinkPreview> {
  const link = TOKEN_PATTERN.test(token)
    ? await findMagicLink(rt.db, await sha256Base64Url(token))
    : undefined
  const now = Date.now()
  if (!link || link.consumedAt !== null || link.invalidatedAt !== null || link.expiresAt <= now)
    throw invalidMagicLink()
  return {
    purpose: link.purpose,
    email: maskEmail(link.email),
    sameSession: sessionId !== null && link.requestedBySessionId === sessionId,
  }
}

export async function verifyMagicLink(
  rt: Runtime,
  token: string,
  from: SessionProof | null,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  if (!TOKEN_PATTERN.test(token)) throw invalidMagicLink()
  const tokenHash = await sha256Base64Url(token)
  const outcome = await signIn(rt, from, { kind: 'magic-link', tokenHash }, meta)
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

const invalidCode = () =>
  new AppError(400, CODE.invalid_or_expired_code, 'This code is wrong, expired or already used.')

/** Signs the session that asked for a link in with the link's code (see `signInWithinSession`). */
export async function verifyLinkCode(
  rt: Runtime,
  rawEmail: string,
  code: string,
  from: SessionProof,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const email = normalizeEmail(rawEmail)
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const now = Date.now()
  const options = {
    email,
    sessionId: from.sessionId,
    now,
    revokedBefore: await readRevokedBefore(rt.db),
  }
  const proven = await consumeLinkCode(rt.db, {
    ...options,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
  })
  if (!proven) {
    await countCodeFailure(rt.db, options)
    throw invalidCode()
  }
  const claimed = await claimMailbox(rt.db, email, rt.settings.ADMIN_EMAILS, now)
  const outcome = await signInWithinSession(rt, from, claimed, meta)
  await recordAuditEvent(
    rt.db,
    {
      type: 'magic_link.verified',
      userId: outcome.account.userId,
      sessionId: from.sessionId,
      detail: { method: 'code' },
    },
    meta,
    now,
  )
  return outcome
}

/** Confirms a registration's address: the password set then stays, and ADMIN_EMAILS may apply. */
export async function confirmEmail(rt: Runtime, token: string, meta: RequestMeta): Promise<void> {
  if (!TOKEN_PATTERN.test(token)) throw invalidMagicLink()
  const now = Date.now()
  const link = await consumeMagicLink(rt.db, await sha256Base64Url(token), {
    purpose: 'verify_email',
    sessionId: null,
    now,
    revokedBefore: await readRevokedBefore(rt.db),
  })
  if (!link) throw invalidMagicLink()
  const role = roleForEmail(rt.settings.ADMIN_EMAILS, link.email)
  const row = await markEmailProven(rt.db, { email: link.email, now, role, keepPassword: true })
  if (row)
    await recordAuditEvent(
      rt.db,
      { type: 'auth.email_verified', userId: row.id, sessionId: null },
      meta,
      now,
    )
}
