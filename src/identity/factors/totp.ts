/**
 * TOTP (RFC 6238) through `otpauth`: the authenticator app's secret, its `otpauth://` URI and QR
 * image, and which time step a code belongs to. SHA-1, six digits, 30 s: the parameters every
 * authenticator app supports (others are ignored by some apps, which then show wrong codes).
 */
import { Secret, TOTP } from 'otpauth'
import { generate } from 'lean-qr'
import { toSvgDataURL } from 'lean-qr/extras/svg'

export const TOTP_PERIOD_SECONDS = 30
const DIGITS = 6
/** Steps either side of now a code may come from: clocks drift and people type slowly. */
const WINDOW_STEPS = 1

/** A new random secret (160 bits, RFC 4226 §4's recommendation), base32 as apps take it. */
export function createTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totpOf(secret: string, issuer = '', label = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
  })
}

/** The `otpauth://totp/…` URI an authenticator app scans. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totpOf(secret, issuer, label).toString()
}

/** The URI as a QR code, an SVG data URL an `<img>` can show. */
export function qrDataUrl(uri: string): string {
  return toSvgDataURL(generate(uri), { on: 'black', off: 'white', padX: 4, padY: 4 })
}

/** The time step `code` was made for, within the window around `now`; null when it matches none. */
export function totpStep(secret: string, code: string, now: number): number | null {
  const token = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const delta = totpOf(secret).validate({ token, timestamp: now, window: WINDOW_STEPS })
  if (delta === null) return null
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: now }) + delta
}
