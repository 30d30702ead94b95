/**
 * Accounts with a password, written straight into D1 the way an older deployment stored them, so a
 * test can start from any stored hash without going through registration.
 */
import { env } from 'cloudflare:workers'
import { createId } from '../../src/platform/ids'
import { fromBase64Url, randomBytes, toBase64Url } from '../../src/platform/encoding'

export const PASSWORD = 'correct horse battery'

/** PBKDF2-SHA256 as the unpeppered scheme computes it: all an attacker holding D1 can compute. */
export async function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password),
    'PBKDF2',
    false,
    ['deriveBits'],
  )
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  )
  return new Uint8Array(bits)
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>`: the scheme from before the pepper. */
export async function unpepperedHash(password: string, iterations = 100_000): Promise<string> {
  const salt = randomBytes(16)
  const hash = await pbkdf2(password, salt, iterations)
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

/** Recomputes a peppered hash from its parts with the pepper: true when `password` made it. */
export async function matchesWithPepper(
  stored: string,
  password: string,
  base64Pepper: string,
): Promise<boolean> {
  const [, , iterations, saltText, hashText] = stored.split('$')
  const derived = await pbkdf2(password, fromBase64Url(saltText!)!, Number(iterations))
  const key = await crypto.subtle.importKey(
    'raw',
    Uint8Array.from(atob(base64Pepper), (ch) => ch.charCodeAt(0)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, derived))
  return toBase64Url(mac) === hashText
}

/** An account whose mailbox was proven, holding `passwordHash`; returns its user id. */
export async function insertAccountWithHash(email: string, passwordHash: string): Promise<string> {
  const id = createId('usr')
  const now = Date.now()
  await env.DB.prepare(
    `insert into users (id, email, password_hash, is_anonymous, role, created_at, last_seen_at,
       email_verified_at) values (?, ?, ?, 0, 'user', ?, ?, ?)`,
  )
    .bind(id, email, passwordHash, now, now, now)
    .run()
  return id
}

export async function storedPasswordHash(userId: string): Promise<string> {
  const row = await env.DB.prepare('select password_hash as hash from users where id = ?')
    .bind(userId)
    .first<{ hash: string }>()
  return row!.hash
}
