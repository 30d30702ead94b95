// What one login's PBKDF2 derivation costs on this machine: the line of `npm run bench` that the
// login scenario's req/s is read against (see run.mjs).
//
// The parameters are not written down here. They are read from a hash the service itself stored:
// run.mjs registers an account through the running service, reads that account's `password_hash`
// from the local D1 (d1.mjs), and this module parses it. The bench used to carry its own copy of
// the iteration count ("must match src/identity/credentials/passwords.ts"), which would have gone on timing the old
// cost, silently, the day the service's changed. Now a change of iterations, salt or hash length in
// src/identity/credentials/passwords.ts reaches the bench through the stored hash, and a change of scheme stops
// the bench with an error instead of timing something the service no longer runs.
import { d1Execute } from './d1.mjs'
import { median } from './stats.mjs'

/**
 * The schemes the bench knows how to time: PBKDF2 over HMAC-SHA-256, as WebCrypto runs it, with
 * the password first peppered by one HMAC (negligible beside the derivation) or, in hashes from
 * before the pepper, not.
 */
const PEPPERED_SCHEME = 'pbkdf2-sha256-hmac'
const SCHEME = 'pbkdf2-sha256'
const PBKDF2_SAMPLES = 20

/** The `password_hash` the service stored for `email` in the local D1 of `stateDir`. */
export async function readStoredHash(root, stateDir, email) {
  // Emails here are made by the bench (hex and dashes); doubling quotes is the SQL escape anyway.
  const literal = `'${email.replaceAll("'", "''")}'`
  const [row] = await d1Execute(
    root,
    stateDir,
    `select password_hash from users where email = ${literal}`,
  )
  if (!row?.password_hash) throw new Error(`the local D1 holds no password hash for ${email}`)
  return row.password_hash
}

/**
 * The derivation's parameters from a stored hash, `pbkdf2-sha256-hmac$<pepperId>$<iterations>$
 * <salt>$<hash>` or the older `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url;
 * src/identity/credentials/passwords.ts): the salt and output lengths are those of the stored values.
 */
export function parseStoredHash(stored) {
  const [scheme, ...fields] = stored.split('$')
  // The pepper's id says which key peppered it; it does not change what the derivation costs.
  if (scheme === PEPPERED_SCHEME) fields.shift()
  const [iterationsText, saltText = '', hashText = '', ...rest] = fields
  const iterations = Number(iterationsText)
  const saltBytes = Buffer.from(saltText, 'base64url').length
  const hashBits = Buffer.from(hashText, 'base64url').length * 8
  const known = scheme === SCHEME || scheme === PEPPERED_SCHEME
  if (!known || rest.length || !Number.isInteger(iterations) || iterations < 1) {
    // Only the scheme is quoted: the rest is a password hash, even if of a throwaway account.
    throw new Error(
      `the service stored a password hash of scheme "${scheme}", expected ${PEPPERED_SCHEME} or ${SCHEME}`,
    )
  }
  if (!saltBytes || !hashBits) throw new Error('the service stored a password hash without salt')
  return { iterations, saltBytes, hashBits }
}

/**
 * Times the derivation with Node's WebCrypto (the same SHA-256 rounds workerd runs): 1000 / ms is
 * the most logins one core could answer per second. Run while the service is idle, so that nothing
 * else competes for the cores.
 */
export async function measurePbkdf2({ iterations, saltBytes, hashBits }) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode('bench-password'),
    'PBKDF2',
    false,
    ['deriveBits'],
  )
  async function timeOne() {
    const salt = crypto.getRandomValues(new Uint8Array(saltBytes))
    const start = performance.now()
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
      key,
      hashBits,
    )
    return performance.now() - start
  }
  // The first call also pays for start-up (thread pool, code paths); it is not what a login costs.
  await timeOne()
  const times = []
  for (let i = 0; i < PBKDF2_SAMPLES; i++) times.push(await timeOne())
  const msPerCall = median(times)
  return {
    iterations,
    saltBytes,
    hashBits,
    samples: PBKDF2_SAMPLES,
    msPerCall,
    singleCoreCeilingRps: 1000 / msPerCall,
  }
}
