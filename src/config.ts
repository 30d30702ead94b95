/**
 * The Worker's bindings and its settings. Settings are parsed and checked once per isolate, when the
 * app is built, and a bad one fails with its name instead of surfacing at first use.
 */
import { z } from 'zod'
import type { SessionDO } from '../durable-objects/session'
import type { SessionEvent } from './session-events'

/** Bindings and raw variables as wrangler hands them to the Worker. */
export interface Env {
  DB: D1Database
  SESSIONS: DurableObjectNamespace<SessionDO>
  /** Workers rate-limiting bindings (wrangler.toml `[[ratelimits]]`): a coarse per-location shield. */
  ANONYMOUS_PER_IP_LIMIT?: RateLimit
  AUTH_PER_IP_LIMIT?: RateLimit
  AUTH_PER_EMAIL_LIMIT?: RateLimit
  ENCRYPTION_KEY?: string
  ADMIN_TOKEN?: string
  RESEND_API_KEY?: string
  /** `[[queues.producers]]`: merge and erase events for other Workers (src/session-events.ts). */
  SESSION_EVENTS?: Queue<SessionEvent>
  [setting: string]: unknown
}

const wholeNumber = (unit: string, min: number) =>
  z.coerce
    .number({ message: `must be a whole number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(min, `must be at least ${min}`)
const seconds = (fallback: number) => wholeNumber('seconds', 1).default(fallback)
const count = (fallback: number) => wholeNumber('items', 1).default(fallback)
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { message: 'must be "true" or "false"' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true')
const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )

const base64Key32 = z.string({ message: 'is required (32 random bytes, base64)' }).refine((v) => {
  try {
    return Uint8Array.from(atob(v), (ch) => ch.charCodeAt(0)).length === 32
  } catch {
    return false
  }
}, 'must be 32 bytes encoded as base64')

const SettingsSchema = z
  .object({
    ACCESS_TTL: seconds(300),
    SESSION_IDLE_TTL: seconds(2_592_000),
    SESSION_ABSOLUTE_TTL: seconds(7_776_000),
    REFRESH_REUSE_GRACE: wholeNumber('seconds', 0).default(10),
    MAGIC_LINK_TTL: seconds(3600),
    ANON_USER_TTL: seconds(2_592_000),
    MAX_SESSIONS_PER_USER: count(10),
    COOKIE_SECURE: flag(true),
    ALLOWED_ORIGINS: list.pipe(
      z.array(z.url({ message: 'must list origins like https://app.example.com' })),
    ),
    ISSUER: z.string({ message: 'is required' }).min(1, 'is required'),
    AUDIENCE: z.string({ message: 'is required' }).min(1, 'is required'),
    MAILER: z.enum(['outbox', 'resend']).default('outbox'),
    MAIL_FROM: z.string().min(3).default('Sign-in <no-reply@example.com>'),
    RESEND_API_KEY: z.string().optional(),
    ADMIN_EMAILS: list.transform((emails) => emails.map((e) => e.toLowerCase())),
    RATE_LIMITS: flag(true),
    KEY_ROTATION_DAYS: wholeNumber('days', 1).default(30),
    LOG_LEVEL: z.enum(['info', 'warn', 'error']).default('info'),
    /** Serves the demo page at `/` (local development; off unless asked for). */
    DEMO: flag(false),
    ENCRYPTION_KEY: base64Key32,
    ADMIN_TOKEN: z.string({ message: 'is required' }).min(16, 'must be at least 16 characters'),
  })
  .refine((s) => s.MAILER !== 'resend' || Boolean(s.RESEND_API_KEY), {
    path: ['RESEND_API_KEY'],
    message: 'is required when MAILER is "resend"',
  })

/** Settings after parsing: numbers are numbers, lists are arrays. Durations are in seconds. */
export type Settings = z.infer<typeof SettingsSchema>

/** Thrown when a setting is missing or malformed; the message names the setting. */
export class SettingsError extends Error {
  override name = 'SettingsError'
}

/** Parses and checks every setting at once, throwing a `SettingsError` that names each bad one. */
export function parseSettings(env: Record<string, unknown>): Settings {
  // An empty string in [vars] or .dev.vars means "not set", so the default applies.
  const raw = Object.fromEntries(
    Object.keys(SettingsSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  )
  const result = SettingsSchema.safeParse(raw)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
  throw new SettingsError(`Invalid settings: ${problems.join('; ')}`)
}
