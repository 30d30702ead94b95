/**
 * TOTP (RFC 6238) through `otpauth`: the authenticator app's secret, its `otpauth://` URI and QR
 * image, and which time step a code belongs to. SHA-1, six digits, 30 s: the parameters every
 * authenticator app supports (others are ignored by some apps, which then show wrong codes).
 *
 * The libraries load on first use: the Worker's build splits them into chunks of their own
 * (scripts/build-worker.mjs), which an isolate compiles only when someone enrols or types a code,
 * not at every start (the sign-in gate reaches this slice but only asks D1 whether a factor exists).
 */
import type { Secret as SecretClass, TOTP as TOTPClass } from 'otpauth'

type Otpauth = { Secret: typeof SecretClass; TOTP: typeof TOTPClass }
let otpauth: Promise<Otpauth> | undefined
const loadOtpauth = () => (otpauth ??= import('otpauth'))

export const TOTP_PERIOD_SECONDS = 30
const DIGITS = 6
/** Steps either side of now a code may come from: clocks drift and people type slowly. */
const WINDOW_STEPS = 1

/** A new random secret (160 bits, RFC 4226 §4's recommendation), base32 as apps take it. */
export async function createTotpSecret(): Promise<string> {
  const { Secret } = await loadOtpauth()
  return new Secret({ size: 20 }).base32
}

function totpOf({ Secret, TOTP }: Otpauth, secret: string, issuer = '', label = ''): TOTPClass {
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
export async function totpUri(secret: string, issuer: string, label: string): Promise<string> {
  return totpOf(await loadOtpauth(), secret, issuer, label).toString()
}

/** The URI as a QR code, an SVG data URL an `<img>` can show. */
export async function qrDataUrl(uri: string): Promise<string> {
  const [{ generate }, { toSvgDataURL }] = await Promise.all([
    import('lean-qr'),
    import('lean-qr/extras/svg'),
  ])
  return toSvgDataURL(generate(uri), { on: 'black', off: 'white', padX: 4, padY: 4 })
}

/** The time step `code` was made for, within the window around `now`; null when it matches none. */
export async function totpStep(secret: string, code: string, now: number): Promise<number | null> {
  const token = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const lib = await loadOtpauth()
  const { TOTP } = lib
  const delta = totpOf(lib, secret).validate({ token, timestamp: now, window: WINDOW_STEPS })
  if (delta === null) return null
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: now }) + delta
}
