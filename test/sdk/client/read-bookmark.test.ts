/**
 * A token client carries D1's read bookmark back (browsers do it with a cookie): a replica then
 * serves its reads only once it holds the client's own writes.
 */
import { describe, expect, it } from 'vitest'
import {
  createMemoryTokenStore,
  createSessionClient,
  type FetchLike,
} from '../../../src/sdk/client'
import { BASE } from '../../helpers'
import { workerFetch } from './worker-fetch'

const BOOKMARK_HEADER = 'X-Read-Bookmark'

describe('the session client and read bookmarks', () => {
  it('sends back the bookmark of its last replica read, and drops it after a write', async () => {
    const sent: Array<{ path: string; bookmark: string | null }> = []
    const received: Array<string | null> = []
    const inner = workerFetch()
    const fetch: FetchLike = async (input, init) => {
      const bookmark = new Headers(init.headers).get(BOOKMARK_HEADER)
      sent.push({ path: `${init.method ?? 'GET'} ${new URL(input).pathname}`, bookmark })
      const res = await inner(input, init)
      received.push(res.headers.get(BOOKMARK_HEADER))
      return res
    }
    const client = createSessionClient({
      baseUrl: BASE,
      transport: 'token',
      tokenStore: createMemoryTokenStore(),
      fetch,
    })

    await client.me()
    await client.preferences.get()
    const handed = received.at(-1)
    expect(handed).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/)
    await client.preferences.get()
    expect(sent.at(-1)).toEqual({ path: 'GET /v1/me/preferences', bookmark: handed })

    await client.preferences.patch({ theme: 'dark' })
    expect(sent.at(-1)!.bookmark).toBe(received.at(-2))
    expect(received.at(-1)).toBe('')
    // The write's answer dropped it: the next read starts on the primary and sees the write.
    expect(await client.preferences.get()).toEqual({ theme: 'dark' })
    expect(sent.at(-1)).toEqual({ path: 'GET /v1/me/preferences', bookmark: null })
  })
})
