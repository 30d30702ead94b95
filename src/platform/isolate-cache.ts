/**
 * A value cached in this isolate for a fixed time: what lets the fast path verify tokens with no
 * I/O while keys and the kill switch still reach every isolate within one period. Concurrent
 * callers during a reload share one load.
 */
export interface IsolateCache<T> {
  get(): Promise<T>
  /** Drops the value so the next `get()` loads again (after a change made in this isolate). */
  invalidate(): void
}

export function createIsolateCache<T>(
  load: () => Promise<T>,
  ttlMs: number,
  now: () => number = Date.now,
): IsolateCache<T> {
  let cached: { value: T; loadedAt: number } | null = null
  let loading: Promise<T> | null = null
  return {
    async get() {
      if (cached && now() - cached.loadedAt < ttlMs) return cached.value
      loading ??= load().finally(() => {
        loading = null
      })
      const loadedAt = now()
      const value = await loading
      cached = { value, loadedAt }
      return value
    },
    invalidate() {
      cached = null
    },
  }
}
