/**
 * The browser SDK end to end against the real Worker: anonymous first, data, sign-in with the
 * merge, both transports, and the typed errors. Refresh behaviour is in refresh.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryTokenStore, createSessionClient } from '../../../src/sdk/client'
import {
  BASE,
  CookieJar,
  mailedConfirmation,
  postAuth,
  readOutbox,
  registerWithClient,
  uniqueEmail,
} from '../../helpers'
import {
  caught,
  cookieClient,
  type Exchange,
  PASSWORD,
  refreshes,
  tokenClient,
} from './worker-fetch'

describe('the session client over token transport', () => {
  it('starts anonymous, keeps data, registers and reports the merge', async () => {
    const log: Exchange[] = []
    const store = createMemoryTokenStore()
    const client = tokenClient(log, store)

    const first = await client.me()
    expect(first.user.isAnonymous).toBe(true)
    expect(first.user.id).toMatch(/^anon_/)
    expect((await store.load())?.refreshToken).toMatch(/^sess_/)

    expect(await client.preferences.patch({ theme: 'dark', editor: { tabs: 2 } })).toEqual({
      theme: 'dark',
      editor: { tabs: 2 },
    })
    const doc = await client.documents.create({ title: 'Notes', content: 'made anonymously' })
    await client.secrets.put('OPENAI_KEY', 'sk-test')

    const email = uniqueEmail()
    const signIn = await registerWithClient(client, { email, password: PASSWORD })
    expect(signIn.user).toMatchObject({ email, isAnonymous: false })
    expect(signIn.session.id).toBe(first.session.id)
    expect(signIn.merge).toEqual({
      from: first.user.id,
      into: signIn.user.id,
      moved: { documents: 1, preferences: 2, secrets: 1, oauth: 0 },
      conflicts: [],
    })

    // The account now holds what the anonymous user made, through the new tokens.
    const now = await client.me()
    expect(now.user.id).toBe(signIn.user.id)
    expect(await client.preferences.get()).toEqual({ theme: 'dark', editor: { tabs: 2 } })
    expect((await client.documents.get(doc.id)).content).toBe('made anonymously')
    expect(await client.secrets.get('OPENAI_KEY')).toBe('sk-test')
    expect((await client.sessions()).map((s) => [s.id, s.current])).toEqual([
      [first.session.id, true],
    ])
    expect((await client.events(5)).map((e) => e.type)).toContain('auth.registered')
    // Every call after the first carried the bearer token; none needed a retry.
    expect(log.slice(1).every((e) => e.bearer)).toBe(true)
    expect(log.every((e) => e.status < 400)).toBe(true)
  })

  it('covers documents, secrets and OAuth state with typed answers', async () => {
    const client = tokenClient()
    await client.me()
    const doc = await client.documents.create({ title: 'A', content: 'one' })
    expect((await client.documents.update(doc.id, { title: 'B' })).title).toBe('B')
    const page = await client.documents.list({ limit: 10 })
    expect(page.documents.map((d) => d.id)).toEqual([doc.id])
    expect(page.nextCursor).toBeNull()
    await client.documents.delete(doc.id)
    expect((await client.documents.list()).documents).toEqual([])

    await client.secrets.put('K', 'v')
    expect((await client.secrets.list()).map((s) => s.name)).toEqual(['K'])
    await client.secrets.delete('K')
    expect(await client.secrets.list()).toEqual([])

    await client.oauth.putTokens('mcp:files', { access_token: 'at', token_type: 'Bearer' })
    await client.oauth.putClient('mcp:files', { client_id: 'c1' })
    await client.oauth.putVerifier('mcp:files', 'v'.repeat(43))
    expect(await client.oauth.getTokens('mcp:files')).toEqual({
      access_token: 'at',
      token_type: 'Bearer',
    })
    expect((await client.oauth.getClient('mcp:files')).client_id).toBe('c1')
    expect(await client.oauth.getVerifier('mcp:files')).toBe('v'.repeat(43))
    expect(await client.oauth.list()).toMatchObject([
      { serverId: 'mcp:files', hasTokens: true, hasClient: true, hasVerifier: true },
    ])
    await client.oauth.forget('mcp:files', 'tokens')
    expect((await client.oauth.list())[0]?.hasTokens).toBe(false)
    await client.oauth.forgetAll()
    expect(await client.oauth.list()).toEqual([])
  })

  it('signs in by magic link read from the dev outbox', async () => {
    const client = tokenClient()
    const anonymous = await client.me()
    await client.preferences.patch({ locale: 'pt-BR' })
    const email = uniqueEmail()
    expect(await client.requestMagicLink(email)).toEqual({ sent: true })
    const [message] = await client.dev.outbox(email)
    const signIn = await client.verifyMagicLink(message!.token!)
    expect(signIn.merge?.from).toBe(anonymous.user.id)
    expect(signIn.merge?.moved.preferences).toBe(1)
    expect(await client.preferences.get()).toEqual({ locale: 'pt-BR' })
  })

  it('keeps its pair in the store it was given, and logout empties it', async () => {
    const store = createMemoryTokenStore()
    const first = tokenClient([], store)
    const { user } = await first.me()
    // A second client on the same store (a reload, with a persistent store) is the same user.
    const second = tokenClient([], store)
    expect((await second.me()).user.id).toBe(user.id)
    await second.logout()
    expect(await store.load()).toBeNull()
  })
})

describe('the session client over cookie transport', () => {
  it('lets the cookies carry the session, refreshing transparently', async () => {
    const jar = new CookieJar()
    const log: Exchange[] = []
    const client = cookieClient(jar, log)
    const { user } = await client.me()
    expect(jar.cookies.has('__Host-session')).toBe(true)
    await client.preferences.patch({ theme: 'light' })
    jar.cookies.delete('__Host-access')
    expect(await client.preferences.get()).toEqual({ theme: 'light' })
    expect((await client.me()).user.id).toBe(user.id)
    expect(log.every((e) => !e.bearer && e.status < 400)).toBe(true)
  })
})

describe('errors', () => {
  it('surfaces the contract’s code, message and status', async () => {
    const client = tokenClient()
    await client.me()
    const missing = await caught(client.documents.get('doc_00000000000000000000000000'))
    expect([missing.status, missing.code]).toEqual([404, 'not_found'])
    expect(missing.message.length).toBeGreaterThan(0)
    const invalid = await caught(client.documents.create({ title: '', content: 'x' }))
    expect([invalid.status, invalid.code]).toEqual([400, 'invalid_request'])
    expect(invalid.message).toMatch(/title/)
    expect(invalid).toBeInstanceOf(Error)
    expect(invalid.name).toBe('SessionClientError')
  })

  it('registers from a client with no session yet, stays anonymous, and confirms by code', async () => {
    for (const client of [tokenClient(), cookieClient(new CookieJar())]) {
      const email = uniqueEmail()
      expect(await client.register({ email, password: PASSWORD })).toEqual({ sent: true })
      const anonymous = client.getState()
      expect(anonymous.status).toBe('anonymous')
      const { code } = await mailedConfirmation(email)
      const signIn = await client.confirmRegistrationCode(email, code)
      expect(signIn.user).toMatchObject({ email, isAnonymous: false })
      expect(signIn.session.id).toBe(anonymous.session!.id)
      expect(signIn.merge?.from).toBe(anonymous.user!.id)
      expect(client.getState().status).toBe('account')
      expect((await client.login({ email, password: PASSWORD })).user.id).toBe(signIn.user.id)
    }
  })

  it('does not refresh for a wrong password', async () => {
    const log: Exchange[] = []
    const client = tokenClient(log)
    const email = uniqueEmail()
    await client.me()
    await registerWithClient(client, { email, password: PASSWORD })
    const wrong = await caught(client.login({ email, password: 'not the password' }))
    expect([wrong.status, wrong.code]).toEqual([401, 'invalid_credentials'])
    expect(refreshes(log)).toEqual([])
    // A second registration is told nothing: the same answer as for a new address.
    expect(await tokenClient().register({ email, password: PASSWORD })).toEqual({ sent: true })
  })

  it('reports an unreachable server as network_error and a non-contract answer as http_error', async () => {
    const down = createSessionClient({
      baseUrl: BASE,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    })
    const offline = await caught(down.me())
    expect([offline.status, offline.code]).toEqual([0, 'network_error'])
    expect(offline.cause).toBeInstanceOf(TypeError)

    const proxy = createSessionClient({
      baseUrl: BASE,
      fetch: () => Promise.resolve(new Response('Bad gateway', { status: 502 })),
    })
    const bad = await caught(proxy.me())
    expect([bad.status, bad.code]).toEqual([502, 'http_error'])
  })
})

describe('the device credential over token transport', () => {
  it('is kept from a sign-in and sent back, so strangers who filled the mail cap never silence it', async () => {
    const client = tokenClient()
    const email = uniqueEmail()
    await client.me()
    await client.requestMagicLink(email)
    const [link] = await readOutbox(email)
    const signedIn = await client.verifyMagicLink(link!.token)
    expect(signedIn.deviceCredential).toMatch(/\./)
    await client.logout()

    for (let i = 0; i < 5; i++)
      expect((await postAuth('/v1/auth/magic-link', { email })).status).toBe(202)
    const beforeOwner = (await readOutbox(email)).length
    await client.me()
    await client.requestMagicLink(email)
    expect((await readOutbox(email)).length).toBe(beforeOwner + 1)
  })
})
