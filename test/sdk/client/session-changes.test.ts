/**
 * The SDK's session changes: listeners in subscription order, unsubscribe, what each call reports,
 * and the other tabs of a browser hearing of a sign-in or sign-out (over BroadcastChannel, or
 * localStorage events where it is missing) and asking the service once, never polling.
 */
import { describe, expect, it, vi } from 'vitest'
import {
  createMemoryTokenStore,
  createSessionClient,
  createTabChannel,
  type SessionChange,
  type SessionState,
  type TabScope,
} from '../../../src/sdk/client'
import { createSessionChanges } from '../../../src/sdk/client/session-changes'
import { BASE, bearer, CookieJar, uniqueEmail, api, registerWithClient } from '../../helpers'
import { broadcastTabs, storageTabs } from './fake-tabs'
import { type Exchange, PASSWORD, tokenClient, workerFetch } from './worker-fetch'

const user = { id: 'anon_1', email: null, isAnonymous: true, role: 'user', createdAt: '' }
const session = {
  id: 'ses_1',
  createdAt: '',
  lastSeenAt: '',
  expiresAt: '',
  userAgent: null,
  ip: null,
  current: true,
}
const loaded: SessionChange = { type: 'loaded', user, session, remote: false }

/** A cookie client in one tab of a browser whose cookies are `jar`. */
const tabClient = (jar: CookieJar, log: Exchange[], scope?: TabScope) =>
  createSessionClient({
    baseUrl: BASE,
    fetch: workerFetch(log, jar),
    tabChannel: scope ? createTabChannel(`edge-session:${BASE}`, scope) : false,
  })

/** Subscribes and records every change the client reports. */
function record(client: { subscribe(l: (c: SessionChange, s: SessionState) => void): () => void }) {
  const changes: SessionChange[] = []
  const unsubscribe = client.subscribe((change) => changes.push(change))
  return { changes, types: () => changes.map((c) => c.type), unsubscribe }
}

describe('session change listeners', () => {
  it('are called in the order they subscribed, with the new state already in place', () => {
    const changes = createSessionChanges()
    const calls: string[] = []
    for (const name of ['first', 'second', 'third'])
      changes.subscribe((change, state) => {
        calls.push(`${name}:${change.type}:${state.status}:${changes.getState().status}`)
      })
    changes.emit(loaded)
    expect(calls).toEqual([
      'first:loaded:anonymous:anonymous',
      'second:loaded:anonymous:anonymous',
      'third:loaded:anonymous:anonymous',
    ])
  })

  it('stop being called once unsubscribed, even by an earlier listener of the same change', () => {
    const changes = createSessionChanges()
    const calls: string[] = []
    let unsubscribeLast = () => {}
    const unsubscribeFirst = changes.subscribe(() => {
      calls.push('first')
      unsubscribeLast()
    })
    unsubscribeLast = changes.subscribe(() => calls.push('last'))
    changes.emit(loaded)
    unsubscribeFirst()
    changes.emit({ type: 'signed_out', everywhere: false, remote: false })
    expect(calls).toEqual(['first'])
  })

  it('count a function subscribed twice twice, and each unsubscribe removes one', () => {
    const changes = createSessionChanges()
    const listener = vi.fn()
    const unsubscribe = changes.subscribe(listener)
    changes.subscribe(listener)
    unsubscribe()
    unsubscribe()
    changes.emit(loaded)
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('see one state object until the next change, as useSyncExternalStore needs', () => {
    const changes = createSessionChanges()
    const before = changes.getState()
    expect(changes.getState()).toBe(before)
    changes.emit(loaded)
    const after = changes.getState()
    expect(after).not.toBe(before)
    changes.emit({ type: 'refreshed', remote: false })
    expect(changes.getState()).toBe(after)
  })
})

describe('the changes a client reports', () => {
  it('a load, a refresh, a sign-in with its merge and a sign-out, in that order', async () => {
    const client = tabClient(new CookieJar(), [])
    const seen = record(client)
    expect(client.getState().status).toBe('loading')
    const { user: anonymous } = await client.me()
    await client.me()
    await client.refresh()
    await client.preferences.patch({ theme: 'dark' })
    const email = uniqueEmail()
    const { user: account } = await registerWithClient(client, { email, password: PASSWORD })
    expect(client.getState()).toMatchObject({
      status: 'account',
      user: { id: account.id, email },
      lastMerge: { from: anonymous.id, into: account.id, moved: { preferences: 1 } },
    })
    await client.logout()
    // The second me() answered the session already known: nothing to report.
    expect(seen.types()).toEqual(['loaded', 'refreshed', 'signed_in', 'signed_out'])
    expect(seen.changes.every((c) => !c.remote)).toBe(true)
    expect(client.getState()).toEqual({
      status: 'signed_out',
      user: null,
      session: null,
      lastMerge: null,
    })
  })

  it('a session the server ended, then the new anonymous one that replaced it', async () => {
    const store = createMemoryTokenStore()
    const client = tokenClient([], store)
    const seen = record(client)
    const first = await client.me()
    const tokens = (await store.load())!
    await api('/v1/auth/logout', { method: 'POST', headers: bearer(tokens.accessToken) })
    // The client finds out at its next refresh.
    await store.save({ ...tokens, accessExpiresAt: 0 })
    const next = await client.me()
    expect(next.user.id).not.toBe(first.user.id)
    expect(seen.changes.map((c) => (c.type === 'revoked' ? `revoked:${c.code}` : c.type))).toEqual([
      'loaded',
      'revoked:invalid_refresh_token',
      'anonymous_started',
    ])
    expect(client.getState()).toMatchObject({ status: 'anonymous', user: { id: next.user.id } })
  })
})

describe('the other tabs of the browser', () => {
  /** Two tabs of one browser: one cookie jar, one channel bus; both loaded and listening. */
  async function twoTabs(tabs: { scope(): TabScope }) {
    const jar = new CookieJar()
    const logA: Exchange[] = []
    const logB: Exchange[] = []
    const a = tabClient(jar, logA, tabs.scope())
    const b = tabClient(jar, logB, tabs.scope())
    const anonymous = await a.me()
    await b.me()
    const seenA = record(a)
    const seenB = record(b)
    logA.length = 0
    logB.length = 0
    return { a, b, logA, logB, seenA, seenB, anonymous }
  }

  it('show a sign-in made in another tab, asking the service once', async () => {
    const { a, b, logB, seenB, anonymous } = await twoTabs(broadcastTabs())
    const email = uniqueEmail()
    const { user: account } = await registerWithClient(a, { email, password: PASSWORD })

    await vi.waitFor(() => expect(b.getState().status).toBe('account'))
    expect(b.getState()).toMatchObject({
      user: { id: account.id, email },
      lastMerge: { from: anonymous.user.id, into: account.id },
    })
    expect(seenB.changes).toEqual([
      expect.objectContaining({ type: 'signed_in', remote: true, user: b.getState().user }),
    ])
    expect(logB.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(['GET /v1/me 200'])
  })

  it('are signed out with this one, sending no request', async () => {
    const { a, b, logB, seenB } = await twoTabs(broadcastTabs())
    await registerWithClient(a, { email: uniqueEmail(), password: PASSWORD })
    await vi.waitFor(() => expect(b.getState().status).toBe('account'))
    logB.length = 0

    await a.logoutAll()
    await vi.waitFor(() => expect(b.getState().status).toBe('signed_out'))
    expect(seenB.changes.at(-1)).toEqual({ type: 'signed_out', everywhere: true, remote: true })
    expect(logB).toEqual([])
  })

  it('hear of a sign-in through localStorage events where BroadcastChannel is missing', async () => {
    const tabs = storageTabs()
    const { a, b } = await twoTabs(tabs)
    const { user: account } = await registerWithClient(a, {
      email: uniqueEmail(),
      password: PASSWORD,
    })
    await vi.waitFor(() => expect(b.getState().user?.id).toBe(account.id))
    expect(tabs.keys()).toEqual([])
  })

  it('hear nothing of refreshes, and of a tab that answers what they know already', async () => {
    const tabs = broadcastTabs()
    const { a, b, logB, seenB } = await twoTabs(tabs)
    const posted = tabs.posted()
    await a.refresh()
    await a.me()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(tabs.posted()).toBe(posted)
    expect(seenB.changes).toEqual([])
    expect(logB).toEqual([])
    expect(b.getState().status).toBe('anonymous')
  })

  it('are listened to only while someone is subscribed', async () => {
    const tabs = broadcastTabs()
    const client = tabClient(new CookieJar(), [], tabs.scope())
    await client.me()
    expect(tabs.openChannels()).toBe(0)
    const first = client.subscribe(() => {})
    const second = client.subscribe(() => {})
    expect(tabs.openChannels()).toBe(1)
    first()
    first()
    expect(tabs.openChannels()).toBe(1)
    second()
    expect(tabs.openChannels()).toBe(0)
  })
})
