/**
 * Rate limits through Workers rate-limiting bindings. They count per Cloudflare location and only
 * roughly, so they are a shield against floods; exact per-account counting of failed logins lives
 * in `login-attempts`.
 */
import type { Env, Settings } from '../config'
import type { Db } from '../db/client'
import { recordAuditEvent } from './audit'
import { AppError } from '../errors'

/** Every binding's period in wrangler.toml, in seconds: what Retry-After can promise. */
export const RATE_LIMIT_PERIOD_SECONDS = 60

export type Limiter = (key: string) => Promise<void>

export interface Limiters {
  anonymousPerIp: Limiter
  authPerIp: Limiter
  /**
   * Password attempts (login, register) per email. Link requests have no per-email bucket here:
   * one the owner shares with strangers could be spent by them; links are capped by mails sent.
   */
  passwordPerEmail: Limiter
}

function createLimiter(
  binding: RateLimit | undefined,
  what: string,
  enabled: boolean,
  recordHit: () => Promise<void>,
): Limiter {
  return async (key) => {
    if (!enabled || !binding) return
    const { success } = await binding.limit({ key })
    if (!success) {
      await recordHit()
      throw new AppError(429, 'rate_limited', `Too many ${what}; try again in a minute.`, {
        'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
      })
    }
  }
}

/** The limiters over the bindings; each refusal is counted (an audit row) for the metrics. */
export function createLimiters(env: Env, settings: Settings, db: Db): Limiters {
  const on = settings.RATE_LIMITS
  const hit = (limit: keyof Limiters) => () =>
    recordAuditEvent(
      db,
      { type: 'rate_limit.hit', userId: null, sessionId: null, detail: { limit } },
      NO_META,
      Date.now(),
    )
  return {
    anonymousPerIp: createLimiter(
      env.ANONYMOUS_PER_IP_LIMIT,
      'new sessions from this address',
      on,
      hit('anonymousPerIp'),
    ),
    authPerIp: createLimiter(
      env.AUTH_PER_IP_LIMIT,
      'sign-in attempts from this address',
      on,
      hit('authPerIp'),
    ),
    passwordPerEmail: createLimiter(
      env.PASSWORD_PER_EMAIL_LIMIT,
      'password attempts for this email',
      on,
      hit('passwordPerEmail'),
    ),
  }
}

// The limited key (an address or an email) is not recorded: the count is what the metrics need.
const NO_META = { ip: null, userAgent: null, country: null }

/** Every password attempt (login or register) passes both: per address, then per email. */
export async function limitPasswordAttempt(
  limits: Limiters,
  email: string,
  ip: string | null,
): Promise<void> {
  await limits.authPerIp(ip ?? 'unknown')
  await limits.passwordPerEmail(email)
}
