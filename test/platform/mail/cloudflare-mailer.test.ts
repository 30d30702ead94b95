import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { createApp } from '../../../src/app'
import { createRuntime } from '../../../src/platform/runtime'
import { createCloudflareMailer, parseMailbox } from '../../../src/platform/mail/mailer'
import { expectError } from '../../helpers'

// wrangler.test.toml's EMAIL binding is the local runtime's Email Service; it may send only to
// ada@example.com, so any other recipient is a real refusal by the binding.
const ALLOWED = 'ada@example.com'
const EMAIL = env.EMAIL!

async function appWith(vars: Record<string, unknown>) {
  return await createApp(await createRuntime({ ...env, ...vars }))
}

function requestLink(app: Awaited<ReturnType<typeof appWith>>, email: string) {
  return app.request('https://auth.example.com/v1/auth/magic-link', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Session-Transport': 'token' },
    body: JSON.stringify({ email }),
  })
}

describe('MAILER=cloudflare', () => {
  it('sends the sign-in mail through the send_email binding, with a text and an HTML part', async () => {
    const sent: unknown[] = []
    // The real local binding, with each message it is handed kept for a look.
    const binding: SendEmail = {
      send: async (message: EmailMessageBuilder) => {
        sent.push(message)
        return EMAIL.send(message)
      },
    } as SendEmail
    const app = await appWith({ MAILER: 'cloudflare', EMAIL: binding, PRODUCT_NAME: 'Notes' })
    expect((await requestLink(app, ALLOWED)).status).toBe(202)
    expect(sent).toEqual([
      {
        from: { name: 'Sign-in', email: 'no-reply@example.com' },
        to: ALLOWED,
        subject: 'Your sign-in link',
        text: expect.stringContaining('https://auth.example.com/v1/auth/magic-link#token='),
        html: expect.stringContaining('<h1 style="font-size: 20px">Notes</h1>'),
      },
    ])
    const { html } = sent[0] as { html: string }
    expect(html).toMatch(/<a href="https:\/\/auth\.example\.com\/v1\/auth\/magic-link#token=/)
    expect(html).toContain('Sent by Notes, https://auth.example.com')
  })

  it('answers 503 mail_unavailable when the binding refuses, with the cause in the log', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = await appWith({ MAILER: 'cloudflare' })
    const res = await requestLink(app, 'bob@example.com')
    await expectError(res, 503, 'mail_unavailable')
    const logged = errors.mock.calls.flat().join(' ')
    errors.mockRestore()
    expect(logged).toContain('not allowed')
    expect(logged).not.toContain('bob@example.com')
  })

  it('is a misconfiguration without a send_email binding named EMAIL', async () => {
    await expect(createRuntime({ ...env, MAILER: 'cloudflare', EMAIL: undefined })).rejects.toThrow(
      /MAILER "cloudflare" needs a \[\[send_email\]\] binding named EMAIL/,
    )
  })

  it('takes MAIL_FROM as a name and an address, or an address alone', async () => {
    expect(parseMailbox('Sign-in <no-reply@example.com>')).toEqual({
      name: 'Sign-in',
      email: 'no-reply@example.com',
    })
    expect(parseMailbox('no-reply@example.com')).toBe('no-reply@example.com')
    const mailer = createCloudflareMailer(EMAIL, 'no-reply@example.com')
    await mailer.send({ to: ALLOWED, subject: 'S', text: 'T', link: 'L', token: 't' })
  })
})

describe('no MAILER', () => {
  it('answers 503 mail_unavailable with a message that names MAILER', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = await appWith({ MAILER: '' })
    const res = await requestLink(app, ALLOWED)
    errors.mockRestore()
    const body = await res.clone().json<{ error: { message: string } }>()
    await expectError(res, 503, 'mail_unavailable')
    expect(body.error.message).toMatch(/set MAILER/)
    expect(body.error.message).not.toMatch(/try again/)
  })
})
