/**
 * A software authenticator for tests: an ES256 key pair from WebCrypto, 'none' attestation and
 * assertions encoded by hand (the little CBOR they need), so the service's WebAuthn checks run on
 * real signatures. Each field a test may get wrong on purpose (origin, RP ID, counter) is an option.
 */
export const TEST_RP_ID = 'auth.example.com'
export const TEST_ORIGIN = 'https://auth.example.com'

const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_BE = 0x08
const FLAG_BS = 0x10
const FLAG_AT = 0x40

export interface CeremonyOptions {
  origin?: string
  rpId?: string
  userVerified?: boolean
}

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>

/** Definite-length CBOR (RFC 8949) for the types attestation needs: ints, bytes, text, maps. */
function cbor(value: Cbor): Uint8Array {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value)
    return concat(head(3, bytes.length), bytes)
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value)
  const parts = [head(5, value.size)]
  for (const [k, v] of value) parts.push(cbor(k), cbor(v))
  return concat(...parts)
}

function head(major: number, n: number): Uint8Array {
  if (n < 24) return Uint8Array.of((major << 5) | n)
  if (n < 256) return Uint8Array.of((major << 5) | 24, n)
  return Uint8Array.of((major << 5) | 25, n >> 8, n & 0xff)
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export function b64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const sha256 = async (data: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', data))
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)

function clientData(type: string, challenge: string, origin: string) {
  return Uint8Array.from(
    new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false })),
  )
}

/** WebCrypto's raw r||s ECDSA signature as the DER WebAuthn carries. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0
    while (i < bytes.length - 1 && bytes[i] === 0) i++
    let v: Uint8Array = bytes.slice(i)
    if (v[0]! & 0x80) v = concat(Uint8Array.of(0), v)
    return concat(Uint8Array.of(0x02, v.length), v)
  }
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)))
  return concat(Uint8Array.of(0x30, body.length), body)
}

export class SoftwareAuthenticator {
  counter = 0
  private constructor(
    readonly credentialId: Uint8Array,
    private readonly keys: CryptoKeyPair,
    /** The user handle the authenticator stored at registration (a discoverable credential). */
    public userHandle: string | null = null,
  ) {}

  static async create(credentialId = crypto.getRandomValues(new Uint8Array(16))) {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    return new SoftwareAuthenticator(credentialId, keys)
  }

  /** The same credential (id and key) on a second device: a clone, with its own counter. */
  clone(): SoftwareAuthenticator {
    return new SoftwareAuthenticator(this.credentialId, this.keys, this.userHandle)
  }

  get id(): string {
    return b64url(this.credentialId)
  }

  /** A `RegistrationResponseJSON` for creation options (a synced passkey, as platforms make). */
  async register(
    options: { challenge: string; user: { id: string } },
    ceremony: CeremonyOptions = {},
  ) {
    this.userHandle = options.user.id
    const jwk = (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey
    const fromB64url = (s: string) =>
      Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, fromB64url(jwk.x!)],
        [-3, fromB64url(jwk.y!)],
      ]),
    )
    const authData = concat(
      await sha256(Uint8Array.from(new TextEncoder().encode(ceremony.rpId ?? TEST_RP_ID))),
      Uint8Array.of(this.flags(ceremony) | FLAG_AT),
      u32(this.counter),
      new Uint8Array(16),
      Uint8Array.of(this.credentialId.length >> 8, this.credentialId.length & 0xff),
      this.credentialId,
      coseKey,
    )
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(
          clientData('webauthn.create', options.challenge, ceremony.origin ?? TEST_ORIGIN),
        ),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    }
  }

  /** An `AuthenticationResponseJSON`; each call counts once more unless `counter` is given. */
  async assert(
    options: { challenge: string },
    ceremony: CeremonyOptions & { counter?: number } = {},
  ) {
    this.counter = ceremony.counter ?? this.counter + 1
    const authData = concat(
      await sha256(Uint8Array.from(new TextEncoder().encode(ceremony.rpId ?? TEST_RP_ID))),
      Uint8Array.of(this.flags(ceremony)),
      u32(this.counter),
    )
    const data = clientData('webauthn.get', options.challenge, ceremony.origin ?? TEST_ORIGIN)
    const signed = concat(authData, await sha256(data))
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.keys.privateKey, signed),
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(data),
        authenticatorData: b64url(authData),
        signature: b64url(derSignature(raw)),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
    }
  }

  private flags(ceremony: CeremonyOptions): number {
    const uv = ceremony.userVerified === false ? 0 : FLAG_UV
    return FLAG_UP | uv | FLAG_BE | FLAG_BS
  }
}
