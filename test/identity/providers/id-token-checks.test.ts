import { describe, expect, it } from 'vitest'
import { CookieJar } from '../../helpers'
import {
  alterIdToken,
  authorizeAt,
  nonceOf,
  providerAccount,
  redirectParams,
  startInBrowser,
} from './loopback'

/** Runs a browser sign-in whose provider answer is spoiled by `spoil`; the callback's `?error=`. */
async function refusedWith(
  spoil: (authorizationUrl: string) => Promise<((url: URL) => void) | void>,
): Promise<string | null> {
  const jar = new CookieJar()
  const authorizationUrl = await startInBrowser(jar)
  const tweak = await spoil(authorizationUrl)
  const callback = await authorizeAt(authorizationUrl, providerAccount(), tweak ?? undefined)
  const res = await jar.fetch(callback, { redirect: 'manual' })
  const me = await (await jar.fetch('/v1/me')).json<{ user: { isAnonymous: boolean } }>()
  expect(me.user.isAnonymous).toBe(true)
  return redirectParams(res).get('error')
}

describe("the callback verifies the provider's ID token", () => {
  it('refuses an ID token with another nonce than the flow sent', async () => {
    const error = await refusedWith(async () => (url) => url.searchParams.set('nonce', 'not-ours'))
    expect(error).toBe('provider_rejected')
  })

  it('refuses an ID token issued for another audience', async () => {
    const error = await refusedWith(async (url) => {
      await alterIdToken(nonceOf(url), { aud: 'some-other-client' })
    })
    expect(error).toBe('provider_rejected')
  })

  it('refuses an expired ID token', async () => {
    const error = await refusedWith(async (url) => {
      const past = Math.floor(Date.now() / 1000) - 3600
      await alterIdToken(nonceOf(url), { iat: past - 600, exp: past })
    })
    expect(error).toBe('provider_rejected')
  })

  it("refuses an ID token whose signature is not by a key of the issuer's JWKS", async () => {
    const error = await refusedWith(async (url) => {
      await alterIdToken(nonceOf(url), { signedByStranger: true })
    })
    expect(error).toBe('provider_rejected')
  })

  it('refuses an ID token from another issuer', async () => {
    const error = await refusedWith(async (url) => {
      await alterIdToken(nonceOf(url), { iss: 'https://accounts.example.org' })
    })
    expect(error).toBe('provider_rejected')
  })
})
