import { describe, expect, it } from 'vitest'
import { api, CookieJar, countRows, expectError, uniqueEmail } from '../../helpers'
import {
  APP_RETURN,
  authorizeAt,
  providerAccount,
  PUBLIC_ORIGIN,
  redirectParams,
  signInInBrowser,
  startInBrowser,
} from './loopback'

async function me(jar: CookieJar) {
  const res = await jar.fetch('/v1/me')
  expect(res.status).toBe(200)
  return (await res.json<{ user: { id: string; isAnonymous: boolean; email: string | null } }>())
    .user
}

async function documentTitles(jar: CookieJar): Promise<string[]> {
  const res = await jar.fetch('/v1/documents')
  expect(res.status).toBe(200)
  return (await res.json<{ documents: Array<{ title: string }> }>()).documents.map((d) => d.title)
}

async function writeDocument(jar: CookieJar, title: string) {
  if (!jar.cookies.size) await me(jar)
  const res = await jar.fetch('/v1/documents', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, content: 'notes' }),
  })
  expect(res.status).toBe(201)
}

function accessTokenSubject(jar: CookieJar): string {
  const token = jar.cookies.get('__Host-access')!
  const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')
  return (JSON.parse(atob(payload)) as { sub: string }).sub
}

describe('sign-in with a generic OpenID provider (a real oidc-provider on loopback)', () => {
  it('lists the configured providers', async () => {
    const res = await api('/v1/auth/providers')
    expect(res.status).toBe(200)
    const body = await res.json<{ methods: string[]; providers: Array<{ id: string }> }>()
    expect(body.methods).toContain('passkey')
    expect(body.providers.map((p) => p.id)).toEqual(['loopback', 'loopback-untrusted'])
  })

  it('signs an anonymous visitor with a document into a new account that keeps it', async () => {
    const jar = new CookieJar()
    await writeDocument(jar, 'before sign-in')
    const anonymous = await me(jar)
    const email = uniqueEmail()
    const res = await signInInBrowser(jar, providerAccount({ email, email_verified: true }))
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(APP_RETURN)
    const user = await me(jar)
    expect(user.isAnonymous).toBe(false)
    expect(user.id).not.toBe(anonymous.id)
    expect(user.email).toBe(email)
    expect(await documentTitles(jar)).toEqual(['before sign-in'])
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anonymous.id),
    ).toBe(1)
  })

  it('signs the same identity into the same account from a new browser', async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const first = new CookieJar()
    expect((await signInInBrowser(first, account)).status).toBe(302)
    const second = new CookieJar()
    expect((await signInInBrowser(second, account)).status).toBe(302)
    expect((await me(second)).id).toBe((await me(first)).id)
  })

  it("merges an anonymous visitor's document once into the identity's existing account, twenty callbacks at once", async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const owner = new CookieJar()
    expect((await signInInBrowser(owner, account)).status).toBe(302)
    const accountId = (await me(owner)).id

    const visitor = new CookieJar()
    await writeDocument(visitor, 'visitor notes')
    const anonymousId = (await me(visitor)).id
    const callback = await authorizeAt(await startInBrowser(visitor), account)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api(callback, { headers: { Cookie: visitor.header() }, redirect: 'manual' }),
      ),
    )
    const won = answers.filter((r) => r.status === 302)
    expect(won).toHaveLength(1)
    for (const r of answers.filter((r) => r.status !== 302))
      await expectError(r, 400, 'invalid_oauth_state')
    visitor.store(won[0]!)
    expect((await me(visitor)).id).toBe(accountId)
    expect(await documentTitles(owner)).toEqual(['visitor notes'])
    expect(
      await countRows('select count(*) as n from merges where from_user_id = ?', anonymousId),
    ).toBe(1)
    expect(
      await countRows(
        'select count(*) as n from users where id = ? and merged_into = ?',
        anonymousId,
        accountId,
      ),
    ).toBe(1)
  })

  it('makes one account when twenty browsers sign in with one new identity at once', async () => {
    const account = providerAccount({ email: uniqueEmail(), email_verified: false })
    const jars = Array.from({ length: 20 }, () => new CookieJar())
    const callbacks = await Promise.all(
      jars.map(async (jar) => authorizeAt(await startInBrowser(jar), account)),
    )
    const answers = await Promise.all(
      callbacks.map((callback, i) => jars[i]!.fetch(callback, { redirect: 'manual' })),
    )
    for (const r of answers) expect(r.headers.get('location')).toBe(APP_RETURN)
    // Each answer's access cookie names the account it signed into (read before the session
    // limit ends the oldest of the twenty).
    const ids = new Set(jars.map((jar) => accessTokenSubject(jar)))
    expect(ids.size).toBe(1)
    expect([...ids][0]).toMatch(/^usr_/)
    expect(
      await countRows('select count(*) as n from identities where subject = ?', account.sub),
    ).toBe(1)
  })

  it('refuses a callback whose state names no pending sign-in', async () => {
    const jar = new CookieJar()
    const callback = await authorizeAt(await startInBrowser(jar), providerAccount())
    const forged = new URL(callback, 'https://x')
    const state = forged.searchParams.get('state')!
    forged.searchParams.set('state', `${state.split('.')[0]}.${'A'.repeat(43)}`)
    await expectError(await jar.fetch(forged.pathname + forged.search), 400, 'invalid_oauth_state')
  })

  it('refuses a replayed code: the second callback finds its state used up', async () => {
    const jar = new CookieJar()
    const callback = await authorizeAt(await startInBrowser(jar), providerAccount())
    expect((await jar.fetch(callback, { redirect: 'manual' })).status).toBe(302)
    await expectError(await jar.fetch(callback), 400, 'invalid_oauth_state')
  })

  it('refuses a callback opened in a browser other than the one that started (login CSRF)', async () => {
    const attacker = new CookieJar()
    const callback = await authorizeAt(await startInBrowser(attacker), providerAccount())
    const victim = new CookieJar()
    const victimId = (await me(victim)).id
    const res = await victim.fetch(callback, { redirect: 'manual' })
    expect(redirectParams(res).get('error')).toBe('provider_session_mismatch')
    expect((await me(victim)).id).toBe(victimId)
  })

  it('sends a provider error back to redirectTo', async () => {
    const jar = new CookieJar()
    const url = new URL(await startInBrowser(jar))
    const state = url.searchParams.get('state')!
    const res = await jar.fetch(
      `/v1/auth/providers/loopback/callback?error=access_denied&state=${encodeURIComponent(state)}`,
      { redirect: 'manual' },
    )
    expect(redirectParams(res).get('error')).toBe('access_denied')
  })

  it('refuses a redirect outside the allow-list', async () => {
    const jar = new CookieJar()
    for (const redirectTo of [
      'https://evil.example.net/x',
      'javascript:alert(1)',
      'https://app.example.com.evil.net/',
    ])
      await expectError(
        await jar.fetch('/v1/auth/providers/loopback/start', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ redirectTo }),
        }),
        400,
        'redirect_not_allowed',
      )
  })

  it("turns a provider's cross-site form_post callback into the GET a browser sends its cookies with", async () => {
    const jar = new CookieJar()
    const account = providerAccount({ email: uniqueEmail(), email_verified: true })
    const callback = new URL(await authorizeAt(await startInBrowser(jar), account), PUBLIC_ORIGIN)
    // The provider's page POSTs the form from its own origin; SameSite=Lax keeps our cookies off it.
    const posted = await api(callback.pathname, {
      method: 'POST',
      headers: {
        Origin: 'https://appleid.apple.com',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: callback.searchParams.toString(),
      redirect: 'manual',
    })
    expect(posted.status).toBe(303)
    const next = posted.headers.get('location')!
    expect(next.startsWith(`${callback.pathname}?`)).toBe(true)
    const res = await jar.fetch(next, { redirect: 'manual' })
    expect(res.headers.get('location')).toBe(APP_RETURN)
    expect((await me(jar)).isAnonymous).toBe(false)
  })

  it('answers 404 for a provider that is not configured', async () => {
    await expectError(
      await new CookieJar().fetch('/v1/auth/providers/google/start', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ redirectTo: APP_RETURN }),
      }),
      404,
      'unknown_provider',
    )
  })
})
