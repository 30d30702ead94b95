/**
 * The Worker's bindings and its settings. Settings are parsed and checked once per isolate, when the
 * app is built, and a bad one fails with its name instead of surfacing at first use.
 */
import { z } from 'zod'
import type { SessionEvent } from '../contract/events'

/**
 * Bindings and raw variables as wrangler hands them to the Worker and the session object, all but
 * the object's own namespace: src/platform/bindings.ts adds that, so this module need not name the class.
 */
export interface Bindings {
  DB: D1Database
  /** Workers rate-limiting bindings (wrangler.toml `[[ratelimits]]`): a coarse per-location shield. */
  ANONYMOUS_PER_IP_LIMIT?: RateLimit
  AUTH_PER_IP_LIMIT?: RateLimit
  PASSWORD_PER_EMAIL_LIMIT?: RateLimit
  REFRESH_PER_SESSION_LIMIT?: RateLimit
  REFRESH_PER_IP_LIMIT?: RateLimit
  /** Workers Static Assets (wrangler.toml `[assets]`): the demo page and /docs. */
  ASSETS?: Fetcher
  ENCRYPTION_KEY?: string
  ENCRYPTION_KEY_PREVIOUS?: string
  PASSWORD_PEPPER?: string
  PASSWORD_PEPPER_PREVIOUS?: string
  ADMIN_TOKEN?: string
  RESEND_API_KEY?: string
  /** `[[send_email]]`: Cloudflare Email Service, the mailer of `MAILER=cloudflare`. */
  EMAIL?: SendEmail
  /** `[[queues.producers]]`: merge and erase events for other Workers (src/contract/events.ts). */
  SESSION_EVENTS?: Queue<SessionEvent>
  /** `[[analytics_engine_datasets]]`: counts that must not cost a D1 write (platform/limits/analytics.ts). */
  ANALYTICS?: AnalyticsEngineDataset
  [setting: string]: unknown
}

const wholeNumber = (unit: string, min: number) =>
  z.coerce
    .number({ message: `must be a whole number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(min, `must be at least ${min}`)
const seconds = (fallback: number) => wholeNumber('seconds', 1).default(fallback)
const count = (fallback: number) => wholeNumber('items', 1).default(fallback)
const bytes = (fallback: number) => wholeNumber('bytes', 1).default(fallback)
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

function isBase64Key32(value: string): boolean {
  try {
    return Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)).length === 32
  } catch {
    return false
  }
}

/** A provider's scopes: a space- or comma-separated list. */
const scopes = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(/[\s,]+/).filter(Boolean) : undefined))

/** A generic OpenID Connect issuer, found by its discovery document. */
const OidcProviderSetting = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'id must be 1 to 32 of a-z, 0-9 and -'),
  name: z.string().min(1).max(64),
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  /** Whether this issuer's `email_verified` may link to an existing account by email. */
  trustVerifiedEmail: z.boolean().default(false),
})

const oidcProviders = z
  .string()
  .default('[]')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers' })
      return z.NEVER
    }
  })
  .pipe(z.array(OidcProviderSetting))

const base64Key32 = z
  .string({ message: 'is required (32 random bytes, base64)' })
  .refine(isBase64Key32, 'must be 32 bytes encoded as base64')

const SettingsFields = z.object({
  ACCESS_TTL: seconds(300),
  SESSION_IDLE_TTL: seconds(2_592_000),
  SESSION_ABSOLUTE_TTL: seconds(7_776_000),
  REFRESH_REUSE_GRACE: wholeNumber('seconds', 0).default(10),
  MAGIC_LINK_TTL: seconds(3600),
  ANON_USER_TTL: seconds(2_592_000),
  MAX_SESSIONS_PER_USER: count(10),
  /** Per-user quotas (user-data/quotas.ts): accounts, then anonymous users (`_ANON`). */
  QUOTA_DOCUMENTS: count(10_000),
  QUOTA_DOCUMENTS_ANON: count(50),
  QUOTA_DOCUMENT_BYTES: bytes(104_857_600),
  QUOTA_DOCUMENT_BYTES_ANON: bytes(1_048_576),
  QUOTA_SECRETS: count(500),
  QUOTA_SECRETS_ANON: count(20),
  QUOTA_OAUTH_SERVERS: count(100),
  QUOTA_OAUTH_SERVERS_ANON: count(5),
  QUOTA_EVENTS: count(10_000),
  QUOTA_EVENTS_ANON: count(200),
  COOKIE_SECURE: flag(true),
  ALLOWED_ORIGINS: list.pipe(
    z.array(z.url({ message: 'must list origins like https://app.example.com' })),
  ),
  ISSUER: z.string({ message: 'is required' }).min(1, 'is required'),
  AUDIENCE: z.string({ message: 'is required' }).min(1, 'is required'),
  /**
   * No default: a deploy that names no mailer answers link requests 503 `mail_unavailable`. The
   * dev outbox is switched on only by the `.dev.vars` that `npm start` writes (and by tests).
   */
  MAILER: z.enum(['cloudflare', 'resend', 'outbox']).optional(),
  /**
   * Where mailed links point: the service's public origin. Never taken from `Host`, which the
   * client writes. Defaults to ISSUER's origin.
   */
  PUBLIC_ORIGIN: z.url({ message: 'must be an origin like https://auth.example.com' }).optional(),
  MAIL_FROM: z.string().min(3).default('Sign-in <no-reply@example.com>'),
  /** The name mails sign with (heading and footer of their HTML part); defaults to PUBLIC_ORIGIN's host. */
  PRODUCT_NAME: z.string().min(1).max(100).optional(),
  RESEND_API_KEY: z.string().optional(),
  ADMIN_EMAILS: list.transform((emails) => emails.map((e) => e.toLowerCase())),
  RATE_LIMITS: flag(true),
  KEY_ROTATION_DAYS: wholeNumber('days', 1).default(30),
  LOG_LEVEL: z.enum(['info', 'warn', 'error']).default('info'),
  /** Serves the demo page at `/` (local development; off unless asked for). */
  DEMO: flag(false),
  ENCRYPTION_KEY: base64Key32,
  /** Older keys, newest first: they only open what they sealed, until the sweep re-seals it. */
  ENCRYPTION_KEY_PREVIOUS: list.refine(
    (keys) => keys.every(isBase64Key32),
    'must list keys of 32 bytes encoded as base64, separated by commas',
  ),
  ADMIN_TOKEN: z.string({ message: 'is required' }).min(16, 'must be at least 16 characters'),
  /**
   * The key of the HMAC around every password hash: a Worker secret, never in D1, so a copy of
   * the database alone allows no offline guess.
   */
  PASSWORD_PEPPER: base64Key32,
  /** Older peppers, newest first: they only verify hashes made under them, until their next sign-in. */
  PASSWORD_PEPPER_PREVIOUS: list.refine(
    (keys) => keys.every(isBase64Key32),
    'must list keys of 32 bytes encoded as base64, separated by commas',
  ),
  /**
   * The passkeys' relying party: the domain they are bound to (defaults to PUBLIC_ORIGIN's host,
   * with an IP address read as `localhost`, since browsers refuse an IP address as an RP ID), a
   * name shown by the authenticator (defaults to PRODUCT_NAME), and the page origins that may use them (defaults to
   * PUBLIC_ORIGIN, its `localhost` twin, and ALLOWED_ORIGINS).
   */
  WEBAUTHN_RP_ID: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'must be a domain like example.com (no scheme, no port)')
    .optional(),
  WEBAUTHN_RP_NAME: z.string().min(1).optional(),
  WEBAUTHN_ORIGINS: list.pipe(
    z.array(z.url({ message: 'must list origins like https://app.example.com' })),
  ),
  /**
   * Where a sign-in with a provider may return: origins (https://app.example.com) or an app's
   * private-use scheme (com.example.app:). Defaults to PUBLIC_ORIGIN and ALLOWED_ORIGINS; loopback
   * http://127.0.0.1:* and http://localhost:* are always allowed (native and CLI clients, RFC 8252 §7.3).
   */
  REDIRECT_ORIGINS: list.pipe(
    z.array(
      z.url({
        message: 'must list origins like https://app.example.com or schemes like com.example.app:',
      }),
    ),
  ),
  /** Sign-in providers: each is offered only when its settings are complete. */
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_SCOPES: scopes,
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GITHUB_SCOPES: scopes,
  APPLE_CLIENT_ID: z.string().optional(),
  APPLE_TEAM_ID: z.string().optional(),
  APPLE_KEY_ID: z.string().optional(),
  /** The Sign in with Apple key (PKCS#8 PEM, or its base64 body). */
  APPLE_PRIVATE_KEY: z.string().optional(),
  APPLE_SCOPES: scopes,
  MICROSOFT_CLIENT_ID: z.string().optional(),
  MICROSOFT_CLIENT_SECRET: z.string().optional(),
  /** `common`, `organizations`, `consumers` or a tenant id. */
  MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a tenant id or common')
    .default('common'),
  MICROSOFT_SCOPES: scopes,
  /** Generic OpenID Connect issuers: a JSON array of {id, name, issuer, clientId, clientSecret?, scopes?, trustVerifiedEmail?}. */
  OIDC_PROVIDERS: oidcProviders,
})

/** Every setting's name: the README's Settings table lists each one (test/readme.test.ts). */
export const SETTING_NAMES = Object.keys(SettingsFields.shape)

const SettingsSchema = SettingsFields.refine(
  (s) => s.MAILER !== 'resend' || Boolean(s.RESEND_API_KEY),
  {
    path: ['RESEND_API_KEY'],
    message: 'is required when MAILER is "resend"',
  },
)
  .transform(({ PUBLIC_ORIGIN, PRODUCT_NAME, WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, ...s }, ctx) => {
    const origin = originOf(PUBLIC_ORIGIN ?? s.ISSUER)
    if (origin) {
      const productName = PRODUCT_NAME ?? new URL(origin).host
      return {
        ...s,
        PUBLIC_ORIGIN: origin,
        PRODUCT_NAME: productName,
        WEBAUTHN_RP_ID: WEBAUTHN_RP_ID ?? defaultRpId(origin),
        WEBAUTHN_RP_NAME: WEBAUTHN_RP_NAME ?? productName,
        WEBAUTHN_ORIGINS: s.WEBAUTHN_ORIGINS.length
          ? s.WEBAUTHN_ORIGINS.map((o) => new URL(o).origin)
          : defaultWebAuthnOrigins(origin, s.ALLOWED_ORIGINS),
        REDIRECT_ORIGINS: s.REDIRECT_ORIGINS.length
          ? s.REDIRECT_ORIGINS
          : [...new Set([origin, ...s.ALLOWED_ORIGINS.map((o) => new URL(o).origin)])],
      }
    }
    ctx.addIssue({
      code: 'custom',
      path: ['PUBLIC_ORIGIN'],
      message: 'is required when ISSUER is not a URL',
    })
    return z.NEVER
  })
  .refine((s) => s.COOKIE_SECURE || isTossProofHost(new URL(s.PUBLIC_ORIGIN).hostname), {
    path: ['COOKIE_SECURE'],
    message:
      'may be "false" only on an IP-address origin (http://127.0.0.1:8787): without the Secure __Host- prefix, a ' +
      'sibling subdomain could plant its own session cookie (set PUBLIC_ORIGIN, or ISSUER, to the local origin)',
  })

function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

/** PUBLIC_ORIGIN's host as an RP ID; an IP address becomes `localhost`, which browsers accept. */
function defaultRpId(origin: string): string {
  const { hostname } = new URL(origin)
  return isTossProofHost(hostname) ? 'localhost' : hostname
}

/** PUBLIC_ORIGIN (and its `localhost` twin when it is an IP address) and ALLOWED_ORIGINS. */
function defaultWebAuthnOrigins(origin: string, allowed: readonly string[]): string[] {
  const url = new URL(origin)
  const twin = isTossProofHost(url.hostname) ? [`${url.protocol}//localhost:${url.port}`] : []
  return [...new Set([origin, ...twin, ...allowed.map((o) => new URL(o).origin)])]
}

/**
 * Hosts no other site can set cookies for: an IP address has no sibling subdomains, so cookies
 * without the `__Host-` prefix cannot be tossed onto it (RFC 6265bis §8.12). `localhost` is not
 * one: `evil.localhost` is a host of its own that browsers also send to this machine.
 */
function isTossProofHost(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || /^\[[0-9a-f:.]+\]$/i.test(hostname)
}

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
    Object.keys(SettingsFields.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  )
  const result = SettingsSchema.safeParse(raw)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
  throw new SettingsError(`Invalid settings: ${problems.join('; ')}`)
}
