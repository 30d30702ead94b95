/**
 * Sending mail. `cloudflare` sends through Cloudflare Email Service, a `[[send_email]]` binding
 * named EMAIL (no API key; DKIM from the account's domain); `resend` through Resend's HTTP API
 * (https://resend.com/docs/api-reference/emails/send-email); `outbox` (local development only)
 * keeps messages in D1 for `GET /v1/dev/outbox`. With no MAILER set, nothing is sent and link
 * requests answer 503 naming the setting.
 */
import { SettingsError, type Settings } from '../config'
import type { Db } from '../db/client'
import { insertOutboxMessage } from './outbox-queries'
import { AppError } from '../errors'
import { CODE } from '../../contract/error-codes'

export interface MailMessage {
  to: string
  subject: string
  text: string
  /** The same words as `text`, as HTML (src/platform/mail/templates.ts); the outbox keeps only text. */
  html?: string
  /** The link the message carries, if any, kept apart so the dev outbox can show it. */
  link?: string
  /** The one-time token inside the link; only the outbox keeps it (local development). */
  token?: string
}

export interface Mailer {
  send(message: MailMessage): Promise<void>
}

export function createOutboxMailer(db: Db): Mailer {
  return {
    async send({ html: _html, ...message }) {
      await insertOutboxMessage(db, { ...message, sentAt: Date.now() })
    },
  }
}

export const RESEND_ENDPOINT = 'https://api.resend.com/emails'

export function createResendMailer(
  apiKey: string,
  from: string,
  fetcher: typeof fetch = fetch,
): Mailer {
  return {
    async send(message) {
      const response = await fetcher(RESEND_ENDPOINT, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          from,
          to: [message.to],
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
        }),
      })
      if (!response.ok) {
        // Only the status is logged: the provider's body may echo the recipient's address.
        console.error(
          JSON.stringify({ level: 'error', msg: 'mail provider refused', status: response.status }),
        )
        throw mailUnavailable(RETRY_SHORTLY)
      }
    },
  }
}

/** `Name <address>` as the binding's `{ name, email }`; a bare address as it is. */
export function parseMailbox(mailbox: string): string | EmailAddress {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailbox)
  if (!match) return mailbox.trim()
  return match[1] ? { name: match[1].replace(/^"(.*)"$/, '$1'), email: match[2]! } : match[2]!
}

/**
 * Cloudflare Email Service through the Worker's `[[send_email]]` binding. A refusal (an address
 * the binding may not send to, a sender not on the account's domain, the service down) answers 503
 * with its cause in the log, the recipient's address taken out of it.
 */
export function createCloudflareMailer(binding: SendEmail, from: string): Mailer {
  const sender = parseMailbox(from)
  return {
    async send(message) {
      try {
        await binding.send({
          from: sender,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
        })
      } catch (error) {
        console.error(
          JSON.stringify({
            level: 'error',
            msg: 'mail not sent: the send_email binding EMAIL refused it',
            cause: String(error).replaceAll(message.to, '<recipient>'),
          }),
        )
        throw mailUnavailable(RETRY_SHORTLY)
      }
    },
  }
}

const NO_MAILER =
  'No mailer is configured: set MAILER ("cloudflare" with a [[send_email]] binding named EMAIL, ' +
  'or "resend" with RESEND_API_KEY) to send sign-in mail.'

/** Stands in until MAILER is set: every send is refused, naming the missing setting. */
export function createUnavailableMailer(): Mailer {
  return {
    async send() {
      console.error(JSON.stringify({ level: 'error', msg: NO_MAILER }))
      throw mailUnavailable(NO_MAILER)
    },
  }
}

const RETRY_SHORTLY = 'The sign-in email could not be sent; try again shortly.'

const mailUnavailable = (detail: string) => new AppError(503, CODE.mail_unavailable, detail)

/** The mailer MAILER names; `emailBinding` is the Worker's `[[send_email]]` EMAIL, if it has one. */
export function createMailer(
  settings: Settings,
  db: Db,
  emailBinding: SendEmail | undefined,
): Mailer {
  switch (settings.MAILER) {
    case 'cloudflare':
      if (!emailBinding)
        throw new SettingsError(
          'Invalid settings: MAILER "cloudflare" needs a [[send_email]] binding named EMAIL in wrangler.toml',
        )
      return createCloudflareMailer(emailBinding, settings.MAIL_FROM)
    case 'resend':
      return createResendMailer(settings.RESEND_API_KEY ?? '', settings.MAIL_FROM)
    case 'outbox':
      return createOutboxMailer(db)
    case undefined:
      return createUnavailableMailer()
  }
}
