import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../../src/app'
import { createResendMailer, RESEND_ENDPOINT } from '../../../src/platform/mail/mailer'
import {
  api,
  createTokenSession,
  expectError,
  mailedLinkToken,
  postAuth as post,
  readOutbox,
  runtime,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
} from '../../helpers'

/** Requests a link for `email` (bound to `from`, if given) and returns the mailed token. */
async function mailedToken(email: string, from?: TokenSession): Promise<string> {
  const token = await mailedLinkToken(email, from)
  const [message] = await readOutbox(email)
  // The token rides in the fragment, which browsers never send to a server.
  expect(message!.link).toBe(`https://auth.example.com/v1/auth/magic-link#token=${token}`)
  expect(new URL(message!.link).search).toBe('')
  expect(message!.text).toContain(message!.link)
  return token
}

const verify = (token: string, session?: TokenSession) =>
  post('/v1/auth/magic-link/verify', { token }, session)

afterEach(() => {
  vi.useRealTimers()
})

describe('magic links', () => {
  it('answers 202 {sent: true} for any email, stores only the hash', async () => {
    const email = uniqueEmail()
    const res = await post('/v1/auth/magic-link', { email })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ sent: true })
    const token = (await readOutbox(email))[0]!.token
    const stored = await env.DB.prepare('select * from magic_links where email = ?')
      .bind(email)
      .first()
    expect(JSON.stringify(stored)).not.toContain(token)
  })

  it('signs the anonymous session that asked for the link into a new account and merges it', async () => {
    const email = uniqueEmail()
    const anon = await createTokenSession()
    const res = await verify(await mailedToken(email, anon), anon)
    expect(res.status).toBe(200)
    const body = await res.json<SignInBody>()
    expect(body.user.email).toBe(email)
    expect(body.session.id).toBe(anon.sessionId)
    expect(body.merge?.from).toBe(anon.userId)
  })

  it('lets exactly one of 100 sessions verifying one link at once win', async () => {
    const token = await mailedToken(uniqueEmail())
    const sessions = await Promise.all(Array.from({ length: 100 }, () => createTokenSession()))
    const responses = await Promise.all(sessions.map((s) => verify(token, s)))
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 400)).toHaveLength(99)
    const loser = responses.find((r) => r.status === 400)!
    await expectError(loser, 400, 'invalid_or_expired_token')
  })

  it('answers all 100 verifications from one session with the same success and merges once', async () => {
    const anon = await createTokenSession()
    const token = await mailedToken(uniqueEmail(), anon)
    const responses = await Promise.all(Array.from({ length: 100 }, () => verify(token, anon)))
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]))
    const bodies = await Promise.all(responses.map((r) => r.json<SignInBody>()))
    expect(new Set(bodies.map((b) => b.user.id)).size).toBe(1)
    expect(new Set(bodies.map((b) => JSON.stringify(b.merge))).size).toBe(1)
    const merges = await env.DB.prepare('select count(*) as n from merges where from_user_id = ?')
      .bind(anon.userId)
      .first<{ n: number }>()
    expect(merges?.n).toBe(1)
    const events = await env.DB.prepare(
      "select count(*) as n from audit_events where type = 'auth.merged' and user_id = ?",
    )
      .bind(bodies[0]!.user.id)
      .first<{ n: number }>()
    expect(events?.n).toBe(1)
  })

  it('refuses a link used twice from different sessions', async () => {
    const token = await mailedToken(uniqueEmail())
    expect((await verify(token)).status).toBe(200)
    await expectError(await verify(token), 400, 'invalid_or_expired_token')
  })

  it('refuses an expired link', async () => {
    const token = await mailedToken(uniqueEmail())
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3_601_000)
    await expectError(await verify(token), 400, 'invalid_or_expired_token')
  })

  it('refuses a token that is not shaped like one', async () => {
    await expectError(await verify('not-a-token'), 400, 'invalid_or_expired_token')
  })

  it('serves a page with a button and consumes nothing on GET', async () => {
    const token = await mailedToken(uniqueEmail())
    const page = await api(`/v1/auth/magic-link#token=${token}`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/)
    const html = await page.text()
    expect(html).toContain('<button')
    expect(html).not.toContain(token)
    expect((await verify(token)).status).toBe(200)
  })

  it('serves the dev outbox only while MAILER=outbox', async () => {
    const rt = await runtime()
    const app = await createApp({
      ...rt,
      settings: { ...rt.settings, MAILER: 'resend', RESEND_API_KEY: 're_test' },
    })
    const res = await app.request('https://auth.test/v1/dev/outbox?to=a@example.com')
    await expectError(res, 404, 'not_found')
  })
})

describe('Resend mailer', () => {
  it("posts the message to Resend's API with the key as a bearer token", async () => {
    const calls: Request[] = []
    const mailer = createResendMailer('re_key', 'Sign-in <hi@example.com>', async (input, init) => {
      calls.push(new Request(input, init))
      return Response.json({ id: 'msg_1' })
    })
    await mailer.send({ to: 'a@example.com', subject: 'S', text: 'T', link: 'L', token: 'secret' })
    expect(calls[0]!.url).toBe(RESEND_ENDPOINT)
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer re_key')
    const body = await calls[0]!.json()
    expect(body).toEqual({
      from: 'Sign-in <hi@example.com>',
      to: ['a@example.com'],
      subject: 'S',
      text: 'T',
    })
  })

  it('answers 503 mail_unavailable when the provider refuses', async () => {
    const mailer = createResendMailer(
      're_key',
      'x@example.com',
      async () => new Response('nope', { status: 500 }),
    )
    await expect(
      mailer.send({ to: 'a@example.com', subject: 'S', text: 'T', link: 'L', token: 't' }),
    ).rejects.toMatchObject({ status: 503, code: 'mail_unavailable' })
  })
})
