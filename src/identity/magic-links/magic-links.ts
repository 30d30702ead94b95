/**
 * Sign-in links: 32 random bytes, only the hash stored, mailed as a link whose token rides in the
 * fragment (`#token=`), which browsers never send to a server, to a page whose button POSTs it (mail
 * scanners that prefetch links consume nothing). Beside the link, a short code that the browser
 * which asked for the link can type to sign itself in when the link was opened elsewhere.
 * The same links, with the purpose `register`, confirm a registration (see ../registration/).
 */
import { normalizeEmail } from '../emails'
import { readRevokedBefore } from '../../platform/db/control'
import {
  findMagicLink,
  insertMagicLink,
  insertMagicLinkWithinBudget,
  tryLinkCode,
  type LinkMailBudget,
} from './queries'
import type { MagicLinkPurpose } from '../../platform/db/schema'
import { randomBytes, sha256Base64Url, toBase64Url } from '../../platform/encoding'
import { AppError } from '../../platform/errors'
import type { RequestMeta } from '../../platform/shared-types'
import type { Runtime } from '../../platform/runtime'
import { renderMailHtml } from '../../platform/mail/templates'
import { claimMailbox } from '../accounts'
import { recordAuditEvent } from '../../platform/audit/audit-log'
import { holdsSession } from '../session-proof'
import { verifyDeviceCredential } from '../credentials/device-credentials'
import {
  invalidMagicLink,
  isSecondFactorPending,
  signIn,
  signInWithinSession,
  unprovenSession,
  type SessionProof,
  type SignInAttempt,
} from '../sign-in'
import { CODE } from '../../contract/error-codes'

export const MAGIC_LINK_PATH = '/v1/auth/magic-link'
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/**
 * Link mails one address receives per hour from one budget: all clients without a device
 * credential for it share one, so a flood of requests for someone's address fills nobody's
 * mailbox; each device that signed in to it before has its own, so strangers who spent theirs
 * never silence the owner. Past it, requests still answer 202 and send nothing.
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

/**
 * Creates and mails a sign-in link; answers the same whether or not the email has an account.
 * `presentedDevice` is the client's device credential, if any: it decides whose budget pays.
 */
export async function requestMagicLink(
  rt: Runtime,
  rawEmail: string,
  from: SessionProof | null,
  meta: RequestMeta,
  presentedDevice: string | null = null,
): Promise<void> {
  const email = normalizeEmail(rawEmail)
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const now = Date.now()
  const budget = linkMailBudget(
    await verifyDeviceCredential(rt.keyring, email, presentedDevice),
    now,
  )
  // The link binds to the asking session only if the request proved it: a session id is public,
  // and a link bound to someone else's session would merge their data into the asker's account.
  const revokedBefore = await readRevokedBefore(rt.db)
  const proven = from !== null && (await holdsSession(rt, from, { now, revokedBefore }))
  const requestedBySessionId = proven ? from.sessionId : null
  const code = createLinkCode()
  const sent = await mailLink(rt, {
    email,
    purpose: 'sign_in',
    requestedBySessionId,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
    budget,
    now,
    subject: 'Your sign-in link',
    text: (link, minutes) =>
      `Open this link to sign in. It works once, for ${minutes} minutes:\n\n${link}\n\n` +
      `Opening it on another device? To bring what you did in the first browser with you, ` +
      `type this code there instead: ${code}\n\nIf you did not ask for it, ignore this email.`,
  })
  if (!sent) {
    // The address is not logged: the line says only that the cap held.
    console.warn(JSON.stringify({ level: 'warn', msg: 'link mail cap reached; nothing sent' }))
    return
  }
  await recordAuditEvent(
    rt.db,
    { type: 'magic_link.sent', userId: null, sessionId: requestedBySessionId },
    meta,
    now,
  )
}

/**
 * The hour's link-mail budget of one device (its own), or of every client without a device
 * credential for the address (`deviceId` null: one shared by all strangers).
 */
export function linkMailBudget(deviceId: string | null, now: number): LinkMailBudget {
  return { deviceId, since: now - HOUR_MS, max: LINK_MAILS_PER_EMAIL_PER_HOUR }
}

export interface LinkMail {
  email: string
  purpose: MagicLinkPurpose
  requestedBySessionId: string | null
  codeHash: string | null
  /** The cap it counts against; none for a registration's confirmation. */
  budget?: LinkMailBudget
  /** A registration's pending password hash, kept on the link until its confirmation. */
  passwordHash?: string
  now: number
  subject: string
  text: (link: string, minutes: number) => string
}

/**
 * Stores a link's hash and mails the link, built from PUBLIC_ORIGIN, never from `Host`. False
 * when the mail's budget is spent: nothing stored, nothing sent.
 */
export async function mailLink(rt: Runtime, mail: LinkMail): Promise<boolean> {
  const token = toBase64Url(randomBytes(32))
  const row = {
    tokenHash: await sha256Base64Url(token),
    email: mail.email,
    purpose: mail.purpose,
    createdAt: mail.now,
    expiresAt: mail.now + rt.settings.MAGIC_LINK_TTL * 1000,
    requestedBySessionId: mail.requestedBySessionId,
    codeHash: mail.codeHash,
    passwordHash: mail.passwordHash ?? null,
  }
  if (!mail.budget) await insertMagicLink(rt.db, row)
  else if (!(await insertMagicLinkWithinBudget(rt.db, row, mail.budget))) return false
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
  return true
}

/** What the link page shows before anything is consumed. */
export interface LinkPreview {
  purpose: Exclude<MagicLinkPurpose, 'verify_email'>
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
  if (link.purpose === 'verify_email') throw invalidMagicLink()
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
): Promise<SignInAttempt> {
  if (!TOKEN_PATTERN.test(token)) throw invalidMagicLink()
  const tokenHash = await sha256Base64Url(token)
  const outcome = await signIn(rt, from, { kind: 'magic-link', tokenHash }, meta)
  await recordAuditEvent(
    rt.db,
    {
      type: 'magic_link.verified',
      userId: outcome.account.userId,
      sessionId: isSecondFactorPending(outcome) ? null : outcome.issued.view.sessionId,
    },
    meta,
    Date.now(),
  )
  return outcome
}

export const invalidCode = () =>
  new AppError(400, CODE.invalid_or_expired_code, 'This code is wrong, expired or already used.')

/**
 * Signs the session that asked for a link in with the link's code (see `signInWithinSession`).
 * The tries belong to that session: none is spent until its refresh credential is verified, so
 * whoever knows only its id (which is public) cannot use up the owner's code.
 */
export async function verifyLinkCode(
  rt: Runtime,
  rawEmail: string,
  code: string,
  from: SessionProof,
  meta: RequestMeta,
): Promise<SignInAttempt> {
  const email = normalizeEmail(rawEmail)
  await rt.limits.authPerIp(meta.ip ?? 'unknown')
  const now = Date.now()
  const revokedBefore = await readRevokedBefore(rt.db)
  if (!(await holdsSession(rt, from, { now, revokedBefore }))) throw unprovenSession()
  const proven = await tryLinkCode(rt.db, {
    email,
    sessionId: from.sessionId,
    now,
    revokedBefore,
    codeHash: await sha256Base64Url(normalizeLinkCode(code)),
  })
  if (!proven) throw invalidCode()
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
