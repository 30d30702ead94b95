/**
 * Device credentials (OWASP "device cookies"): what a client gets when it signs in to an account
 * whose mailbox is proven, so that later password attempts and link requests from it spend a
 * budget of its own instead of the one every stranger who knows the email shares. Strangers can
 * fill theirs; they cannot touch the owner's.
 *
 * A credential is `<deviceId>.<mac>`: 16 random bytes naming the device, and HMAC-SHA256 over the
 * device id and the normalised email under a key derived (HKDF) from a master key for this one
 * purpose. It names no email, holds for that email only, and nobody without `ENCRYPTION_KEY` can
 * make one. One issued before a key rotation holds while `ENCRYPTION_KEY_PREVIOUS` keeps its key.
 */
import { fromBase64Url, randomBytes, toBase64Url } from '../../platform/encoding'
import type { Keyring } from '../../platform/crypto/keyring'
import { deriveKey } from '../../platform/crypto/sealing'

const INFO = 'edge-session device credential v1'
const DEVICE_ID_BYTES = 16
const CREDENTIAL_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

const macKeys = new WeakMap<Keyring, Promise<CryptoKey[]>>()

/** The MAC keys, current first, derived once per keyring (one keyring per isolate). */
function deviceMacKeys(keyring: Keyring): Promise<CryptoKey[]> {
  let keys = macKeys.get(keyring)
  if (!keys) {
    keys = Promise.all(
      [keyring.current, ...keyring.previous].map((key) =>
        deriveKey(key.material, INFO, { name: 'HMAC', hash: 'SHA-256', length: 256 }, [
          'sign',
          'verify',
        ]),
      ),
    )
    macKeys.set(keyring, keys)
  }
  return keys
}

const macInput = (deviceId: string, email: string) =>
  new TextEncoder().encode(JSON.stringify(['edge-session device v1', deviceId, email]))

/**
 * The device id a credential proves for `email`; null when it is absent, malformed, made for
 * another email, or under a key no longer configured.
 */
export async function verifyDeviceCredential(
  keyring: Keyring,
  email: string,
  credential: string | null,
): Promise<string | null> {
  const match = credential ? CREDENTIAL_PATTERN.exec(credential) : null
  const mac = match && fromBase64Url(match[2]!)
  if (!match || !mac) return null
  const deviceId = match[1]!
  for (const key of await deviceMacKeys(keyring))
    if (await crypto.subtle.verify('HMAC', key, mac, macInput(deviceId, email))) return deviceId
  return null
}

/**
 * The credential to hand out at a sign-in to `email`: the presented one's device id when it holds
 * for this email (re-made under the current key), else a new device.
 */
export async function renewDeviceCredential(
  keyring: Keyring,
  email: string,
  presented: string | null,
): Promise<string> {
  const deviceId =
    (await verifyDeviceCredential(keyring, email, presented)) ??
    toBase64Url(randomBytes(DEVICE_ID_BYTES))
  const [current] = await deviceMacKeys(keyring)
  const mac = await crypto.subtle.sign('HMAC', current!, macInput(deviceId, email))
  return `${deviceId}.${toBase64Url(new Uint8Array(mac))}`
}
