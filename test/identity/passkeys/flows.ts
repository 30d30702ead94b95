/** The passkey ceremonies as a token client runs them, for the passkey tests. */
import { expect } from 'vitest'
import { bearer, post, type SignInBody, type TokenSession } from '../../helpers'
import type { CeremonyOptions, SoftwareAuthenticator } from './authenticator'

export interface Options {
  challenge: string
  user: { id: string }
}

export interface OptionsBody {
  options: Options
  tokens?: { accessToken: string; refreshToken: string }
}

/** Options for `ceremony` ('sign-up' or 'sign-in') asked by `from`, or by no session. */
export async function askOptions(
  ceremony: 'sign-up' | 'sign-in',
  from?: TokenSession,
): Promise<OptionsBody> {
  const res = await post(
    `/v1/auth/passkeys/${ceremony}/options`,
    {},
    from ? bearer(from.accessToken) : {},
  )
  expect(res.status).toBe(200)
  return res.json<OptionsBody>()
}

/** Verifies `response` from `from`, its refresh token in the body as the SDK sends it. */
export function verify(
  ceremony: 'sign-up' | 'sign-in',
  from: TokenSession,
  response: unknown,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return post(
    `/v1/auth/passkeys/${ceremony}/verify`,
    { response, refreshToken: from.refreshToken, ...extra },
    bearer(from.accessToken),
  )
}

export type SignUpBody = SignInBody & {
  passkey: { id: string; name: string; deviceType: string; backedUp: boolean }
}

/** An account made with `authenticator`'s passkey alone, from `from`. */
export async function signUp(
  authenticator: SoftwareAuthenticator,
  from: TokenSession,
  ceremony: CeremonyOptions = {},
): Promise<SignUpBody> {
  const { options } = await askOptions('sign-up', from)
  const res = await verify('sign-up', from, await authenticator.register(options, ceremony))
  expect(res.status).toBe(201)
  return res.json<SignUpBody>()
}

/** Signs in with `authenticator` from `from`. */
export async function signInWith(
  authenticator: SoftwareAuthenticator,
  from: TokenSession,
  ceremony: CeremonyOptions & { counter?: number } = {},
): Promise<Response> {
  const { options } = await askOptions('sign-in', from)
  return verify('sign-in', from, await authenticator.assert(options, ceremony))
}

/** The user id the options name (WebAuthn's `user.id`, base64url of its UTF-8). */
export function userIdOf(options: Options): string {
  const base64 = options.user.id.replace(/-/g, '+').replace(/_/g, '/')
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))
}
