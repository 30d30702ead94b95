/**
 * PKCE (RFC 7636) for token clients' provider sign-in: the verifier stays with this client, only
 * its S256 challenge goes to the service, so a handoff code that leaks from the redirect URL is
 * useless without it. The verifier lives in a store that survives the trip to the provider.
 */

/** Where the pending sign-in's verifier waits while the person is at the provider. */
export interface VerifierStore {
  load(): string | null | Promise<string | null>
  /** `null` forgets it: a handoff code is single use, and so is its verifier. */
  save(verifier: string | null): void | Promise<void>
}

/** A verifier store in this JavaScript context only (lost if the redirect reloads the page). */
export function createMemoryVerifierStore(): VerifierStore {
  let kept: string | null = null
  return {
    load: () => kept,
    save: (next) => {
      kept = next
    },
  }
}

/**
 * The verifier in `sessionStorage` under `key` when the page has it (it outlives the redirect and
 * stays in this tab), else in memory.
 */
export function createDefaultVerifierStore(key: string): VerifierStore {
  const storage = sessionStorageIfAny()
  if (!storage) return createMemoryVerifierStore()
  return {
    load: () => storage.getItem(key),
    save: (verifier) =>
      verifier === null ? storage.removeItem(key) : storage.setItem(key, verifier),
  }
}

/** The part of the DOM's `Storage` used here (the Workers types have no DOM). */
interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

function sessionStorageIfAny(): KeyValueStorage | null {
  try {
    // Reading the property itself throws where storage is blocked (sandboxed frames, some privacy modes).
    return (globalThis as { sessionStorage?: KeyValueStorage }).sessionStorage ?? null
  } catch {
    return null
  }
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** A new verifier: 32 random bytes, base64url (43 characters, RFC 7636 §4.1). */
export function createCodeVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 §4.2). */
export async function codeChallengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return base64url(new Uint8Array(digest))
}
