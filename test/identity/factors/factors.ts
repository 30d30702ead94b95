/** An account with an authenticator app, and codes made by the same TOTP library the service uses. */
import { expect, vi } from 'vitest'
import { Secret, TOTP } from 'otpauth'
import {
  bearer,
  createAccount,
  jsonHeaders,
  type SignInBody,
  type TokenSession,
  uniqueEmail,
  unlimitedApi,
} from '../../helpers'

export const PASSWORD = 'long password 1'

export type Send = Awaited<ReturnType<typeof unlimitedApi>>

/** The code the app shows `offsetSteps` periods from now. */
export function codeAt(secret: string, offsetSteps = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    timestamp: Date.now() + offsetSteps * 30_000,
  })
}

/** Moves the clock (Date only) forward by `ms`. */
export function advance(ms: number): void {
  const now = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(now + ms)
}

/** A JSON POST in token transport through `send`. */
export function postWith(send: Send, path: string, body: unknown, token?: string) {
  return send(path, {
    method: 'POST',
    headers: jsonHeaders(token ? bearer(token) : {}),
    body: JSON.stringify(body),
  })
}

export interface EnrolledAccount {
  email: string
  userId: string
  secret: string
  recoveryCodes: string[]
  /** The session that enrolled (signed in moments ago). */
  session: TokenSession
}

/** A confirmed account that has enrolled and confirmed an authenticator app. */
export async function enrolledAccount(send: Send, from?: TokenSession): Promise<EnrolledAccount> {
  const email = uniqueEmail()
  const created = await createAccount(email, PASSWORD, from, send)
  expect(created.status).toBe(200)
  const body = await created.json<SignInBody>()
  const session = { userId: body.user.id, sessionId: body.session.id, ...body.tokens }
  const enrolled = await postWith(send, '/v1/me/factors/totp', {}, session.accessToken)
  expect(enrolled.status).toBe(200)
  const { secret, uri, qrCode } = await enrolled.json<{
    secret: string
    uri: string
    qrCode: string
  }>()
  expect(uri).toMatch(/^otpauth:\/\/totp\//)
  expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/)
  const confirmed = await postWith(
    send,
    '/v1/me/factors/totp/confirm',
    { code: codeAt(secret) },
    session.accessToken,
  )
  expect(confirmed.status).toBe(200)
  const { recoveryCodes } = await confirmed.json<{ recoveryCodes: string[] }>()
  return { email, userId: body.user.id, secret, recoveryCodes, session }
}

export interface SecondFactorRequired {
  secondFactorRequired: true
  challenge: string
  methods: string[]
}

/** Expects a first factor's answer to ask for the second: 202, a challenge, nothing else. */
export async function expectChallenge(res: Response): Promise<string> {
  expect(res.status).toBe(202)
  expect(res.headers.get('Set-Cookie')).toBeNull()
  const body = await res.json<SecondFactorRequired>()
  expect(Object.keys(body).sort()).toEqual(
    ['challenge', 'expiresAt', 'methods', 'secondFactorRequired'].sort(),
  )
  expect(body.methods).toEqual(['totp', 'recovery_code'])
  return body.challenge
}
