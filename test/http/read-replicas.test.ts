import { describe, expect, it } from 'vitest'
import {
  api,
  APP_ORIGIN,
  bearer,
  CookieJar,
  createStoredSession,
  jsonHeaders,
  TOKEN_TRANSPORT,
  type TokenSession,
} from '../helpers'

const BOOKMARK_HEADER = 'X-Read-Bookmark'
const bookmarkCookie = (jar: CookieJar) =>
  [...jar.cookies].find(([name]) => name.endsWith('read-bookmark'))?.[1]

async function patchTheme(s: TokenSession, theme: string, bookmark?: string | null) {
  const res = await api('/v1/me/preferences', {
    method: 'PATCH',
    headers: jsonHeaders({
      ...bearer(s.accessToken),
      ...(bookmark ? { [BOOKMARK_HEADER]: bookmark } : {}),
    }),
    body: JSON.stringify({ theme }),
  })
  expect(res.status).toBe(200)
  return res
}

async function readTheme(s: TokenSession, bookmark?: string | null) {
  const res = await api('/v1/me/preferences', {
    headers: { ...bearer(s.accessToken), ...(bookmark ? { [BOOKMARK_HEADER]: bookmark } : {}) },
  })
  expect(res.status).toBe(200)
  const { preferences } = await res.json<{ preferences: { theme?: string } }>()
  return { theme: preferences.theme, bookmark: res.headers.get(BOOKMARK_HEADER) }
}

describe('reads near the user (D1 sessions and bookmarks)', () => {
  it('hands a bearer client a bookmark with each replica read and drops it after each write', async () => {
    const s = await createStoredSession()
    await patchTheme(s, 'dark')
    const first = await readTheme(s)
    expect(first.theme).toBe('dark')
    expect(first.bookmark).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/)

    // A write answers with an empty bookmark: its writes reached no bookmark of ours.
    const write = await patchTheme(s, 'light', first.bookmark)
    expect(write.headers.get(BOOKMARK_HEADER)).toBe('')
    const second = await readTheme(s)
    expect(second.theme).toBe('light')
    expect(second.bookmark! >= first.bookmark!).toBe(true)

    // Carried back, the bookmark anchors the next read: it still sees its own writes.
    for (let i = 0; i < 3; i++) expect((await readTheme(s, second.bookmark)).theme).toBe('light')
  })

  it('reads its own writes across requests in a browser, the bookmark travelling in a cookie', async () => {
    const jar = new CookieJar()
    expect((await jar.fetch('/v1/me')).status).toBe(200)
    for (const theme of ['dark', 'light', 'system']) {
      const write = await jar.fetch('/v1/me/preferences', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ theme }),
      })
      expect(write.status).toBe(200)
      expect(bookmarkCookie(jar)).toBeUndefined()
      const read = await jar.fetch('/v1/me/preferences')
      expect((await read.json<{ preferences: { theme: string } }>()).preferences.theme).toBe(theme)
      expect(bookmarkCookie(jar)).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/)
      expect(read.headers.get(BOOKMARK_HEADER)).toBeNull()
    }
  })

  it('keeps reads that decide security on the primary: no bookmark from /v1/me or /v1/sessions', async () => {
    const s = await createStoredSession()
    const { bookmark } = await readTheme(s)
    for (const path of ['/v1/me', '/v1/sessions']) {
      const res = await api(path, {
        headers: { ...bearer(s.accessToken), ...TOKEN_TRANSPORT, [BOOKMARK_HEADER]: bookmark! },
      })
      expect(res.status).toBe(200)
      // Neither a new bookmark nor the empty one of a write: the client keeps what it holds.
      expect(res.headers.get(BOOKMARK_HEADER)).toBeNull()
    }
  })

  it('ignores a bookmark that is not one, reading from the primary instead', async () => {
    const s = await createStoredSession()
    await patchTheme(s, 'dark')
    for (const forged of ['not-a-bookmark', 'zz', '0'.repeat(300), "1-2' or 1=1"]) {
      const read = await readTheme(s, forged)
      expect(read.theme).toBe('dark')
      expect(read.bookmark).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/)
    }
  })

  it('lets a cross-origin client send and read the bookmark header', async () => {
    const res = await api('/v1/me/preferences', {
      method: 'OPTIONS',
      headers: {
        Origin: APP_ORIGIN,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization,x-read-bookmark',
      },
    })
    expect(res.headers.get('Access-Control-Allow-Headers')).toMatch(/X-Read-Bookmark/i)
    const s = await createStoredSession()
    const read = await api('/v1/me/preferences', {
      headers: { ...bearer(s.accessToken), Origin: APP_ORIGIN },
    })
    expect(read.headers.get('Access-Control-Expose-Headers')).toMatch(/X-Read-Bookmark/i)
  })
})
