/**
 * Rate limits through Workers rate-limiting bindings. They count per Cloudflare location and only
 * roughly, so they are a shield against floods; exact per-account counting of failed logins lives
 * in `login-attempts`.
 */
import type { Settings } from '../config'
import type { Analytics } from './analytics'
import { AppError } from '../errors'
import { CODE } from '../../contract/error-codes'

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
  /** Refreshes per session and per address: rotation is cheap, but not free to loop on. */
  refreshPerSession: Limiter
  refreshPerIp: Limiter
}

/**
 * The bucket of a client address: an IPv4 address as it is, an IPv6 address by its /64. One
 * subscriber or host normally gets a whole /64 (RFC 6177), so keying on the full address would
 * give every neighbour in it a bucket of its own.
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)
  if (mapped) return mapped[1]!
  const [head = '', tail, ...extra] = ip.toLowerCase().split('::')
  if (extra.length) return ip
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const missing = 8 - left.length - right.length
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(missing, 0)).fill('0'), ...right]
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return ip
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`
}

function createLimiter(
  binding: RateLimit | undefined,
  what: string,
  enabled: boolean,
  recordHit: () => void,
  keyOf: (key: string) => string = (key) => key,
): Limiter {
  return async (key) => {
    if (!enabled || !binding) return
    const { success } = await binding.limit({ key: keyOf(key) })
    if (!success) {
      recordHit()
      throw new AppError(429, CODE.rate_limited, `Too many ${what}; try again in a minute.`, {
        'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
      })
    }
  }
}

/**
 * The limiters over the bindings. Each refusal is counted in Analytics Engine, not in D1: a flood
 * of refusals must not turn into writes on the one D1 writer the limiter protects. The limited key
 * (an address or an email) is not recorded: the count is what the metrics need.
 */
/**
 * The rate-limit bindings, one per limiter. The runtime reads them from the Worker's bindings
 * (runtime.ts `limitBindingsOf`); this module knows no binding names.
 */
export type LimitBindings = { [L in keyof Limiters]?: RateLimit | undefined }

export function createLimiters(
  bindings: LimitBindings,
  settings: Settings,
  analytics: Analytics,
): Limiters {
  const on = settings.RATE_LIMITS
  const hit = (limit: keyof Limiters) => () => analytics.count('rate_limit.hit', limit)
  return {
    anonymousPerIp: createLimiter(
      bindings.anonymousPerIp,
      'new sessions from this address',
      on,
      hit('anonymousPerIp'),
      addressKey,
    ),
    authPerIp: createLimiter(
      bindings.authPerIp,
      'sign-in attempts from this address',
      on,
      hit('authPerIp'),
      addressKey,
    ),
    passwordPerEmail: createLimiter(
      bindings.passwordPerEmail,
      'password attempts for this email',
      on,
      hit('passwordPerEmail'),
    ),
    refreshPerSession: createLimiter(
      bindings.refreshPerSession,
      'refreshes of this session',
      on,
      hit('refreshPerSession'),
    ),
    refreshPerIp: createLimiter(
      bindings.refreshPerIp,
      'refreshes from this address',
      on,
      hit('refreshPerIp'),
      addressKey,
    ),
  }
}

/** Every password attempt (login or register) passes both: per address, then per email. */
export async function limitPasswordAttempt(
  limits: Limiters,
  email: string,
  ip: string | null,
): Promise<void> {
  await limits.authPerIp(ip ?? 'unknown')
  await limits.passwordPerEmail(email)
}
