/**
 * Sending mail. `outbox` (local development only) keeps messages in D1 for `GET /v1/dev/outbox`;
 * `resend` sends through Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email);
 * with no MAILER set, nothing is sent and link requests answer 503.
 */
import type { Settings } from '../config'
import type { Db } from '../db/client'
import { insertOutboxMessage } from './outbox-queries'
import { AppError } from '../errors'
import { CODE } from '../../contract/error-codes'

export interface MailMessage {
  to: string
  subject: string
  text: string
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
    async send(message) {
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
        }),
      })
      if (!response.ok) {
        // Only the status is logged: the provider's body may echo the recipient's address.
        console.error(
          JSON.stringify({ level: 'error', msg: 'mail provider refused', status: response.status }),
        )
        throw mailUnavailable()
      }
    },
  }
}

/** Stands in until MAILER is set: every send is refused, and the log says which setting is missing. */
export function createUnavailableMailer(): Mailer {
  return {
    async send() {
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'no mailer configured: set MAILER ("resend" with RESEND_API_KEY) to send sign-in links',
        }),
      )
      throw mailUnavailable()
    },
  }
}

const mailUnavailable = () =>
  new AppError(
    503,
    CODE.mail_unavailable,
    'The sign-in email could not be sent; try again shortly.',
  )

export function createMailer(settings: Settings, db: Db): Mailer {
  switch (settings.MAILER) {
    case 'resend':
      return createResendMailer(settings.RESEND_API_KEY ?? '', settings.MAIL_FROM)
    case 'outbox':
      return createOutboxMailer(db)
    case undefined:
      return createUnavailableMailer()
  }
}
