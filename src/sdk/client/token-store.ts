/**
 * Where token transport keeps its pair. In memory by default (gone with the tab, out of reach of
 * other scripts' storage reads); a caller that wants the session to survive a reload passes its own
 * store, and owns the trade-off (anything in `localStorage` is readable by any script on the page).
 */

/** The token pair as the SDK keeps it: the access token's expiry as an absolute time (ms). */
export interface StoredTokens {
  accessToken: string
  refreshToken: string
  /** `Date.now()` value after which the access token is no longer accepted. */
  accessExpiresAt: number
}

/**
 * Storage for token transport. Read before every request, so a store shared between tabs hands
 * each tab the pair the last refresh left there.
 * @example
 * const store: TokenStore = {
 *   load: () => JSON.parse(sessionStorage.getItem('tokens') ?? 'null'),
 *   save: (t) => (t ? sessionStorage.setItem('tokens', JSON.stringify(t)) : sessionStorage.removeItem('tokens')),
 * }
 */
export interface TokenStore {
  load(): StoredTokens | null | Promise<StoredTokens | null>
  /** `null` forgets the pair (logout, or a session the server no longer knows). */
  save(tokens: StoredTokens | null): void | Promise<void>
}

/** A store that keeps the pair in this JavaScript context only. */
export function createMemoryTokenStore(initial: StoredTokens | null = null): TokenStore {
  let tokens = initial
  return {
    load: () => tokens,
    save: (next) => {
      tokens = next
    },
  }
}

/**
 * Where token transport keeps its device credential: what a sign-in to a proven account hands a
 * client so that its own password tries and link mails for that email are never spent by
 * strangers. It outlives logout (as the browser's HttpOnly device cookie does). Memory by default.
 */
export interface DeviceCredentialStore {
  load(): string | null | Promise<string | null>
  save(deviceCredential: string): void | Promise<void>
}

/** A device credential store that keeps it in this JavaScript context only. */
export function createMemoryDeviceCredentialStore(): DeviceCredentialStore {
  let kept: string | null = null
  return {
    load: () => kept,
    save: (next) => {
      kept = next
    },
  }
}
