/** The named providers' profile mapping, against responses recorded from each provider's API. */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseSettings } from '../../../src/platform/config'
import { signInMethods } from '../../../src/identity/providers/protocols/methods'
import {
  appleIdentity,
  githubIdentity,
  microsoftIdentity,
  microsoftIssuerMatches,
} from '../../../src/identity/providers/protocols/profile-mapping'
import appleClaims from './fixtures/apple-id-token-claims.json'
import appleUser from './fixtures/apple-first-sign-in-user.json'
import githubEmails from './fixtures/github-emails.json'
import githubEmailsUnverified from './fixtures/github-emails-unverified-primary.json'
import githubUser from './fixtures/github-user.json'
import microsoftClaims from './fixtures/microsoft-id-token-claims.json'

describe('GitHub: the primary verified email from /user/emails', () => {
  it('takes the primary email, not the public profile email, and trusts its verification', () => {
    expect(githubIdentity(githubUser, githubEmails)).toEqual({
      provider: 'github',
      subject: '583231',
      email: 'octocat@github.example.com',
      emailVerified: true,
      emailTrusted: true,
      name: 'The Octocat',
    })
  })

  it('keeps an unverified primary email as asserted, proving nothing', () => {
    const identity = githubIdentity(githubUser, githubEmailsUnverified)
    expect(identity.email).toBe('new-address@example.com')
    expect(identity.emailVerified).toBe(false)
    expect(identity.emailTrusted).toBe(false)
  })
})

describe("Apple: the ID token's email and the first sign-in's name", () => {
  it('reads email_verified given as the string "true" and the name from the first callback', () => {
    expect(appleIdentity(appleClaims, JSON.stringify(appleUser))).toEqual({
      provider: 'apple',
      subject: appleClaims.sub,
      email: 'x7k2m9p4q1@privaterelay.appleid.com',
      emailVerified: true,
      emailTrusted: true,
      name: 'Ada Lovelace',
    })
  })

  it('has no name on later sign-ins, and survives a malformed user field', () => {
    expect(appleIdentity(appleClaims, null).name).toBeNull()
    expect(appleIdentity(appleClaims, '{not json').name).toBeNull()
  })

  it('does not take email_verified "false" as verified', () => {
    const identity = appleIdentity({ ...appleClaims, email_verified: 'false' }, null)
    expect(identity.emailVerified).toBe(false)
    expect(identity.emailTrusted).toBe(false)
  })
})

describe("Microsoft: the tenant's issuer, and an email claim never trusted (nOAuth)", () => {
  it('never trusts the email claim, whatever it says', () => {
    const identity = microsoftIdentity(microsoftClaims)
    expect(identity.email).toBe('ceo@example.com')
    expect(identity.emailVerified).toBe(false)
    expect(identity.emailTrusted).toBe(false)
    expect(identity.subject).toBe(microsoftClaims.sub)
  })

  it("accepts on a shared endpoint only the issuer of the token's own tenant", () => {
    expect(microsoftIssuerMatches(microsoftClaims, 'common')).toBe(true)
    expect(microsoftIssuerMatches(microsoftClaims, 'organizations')).toBe(true)
    const otherTenant = { ...microsoftClaims, tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }
    expect(microsoftIssuerMatches(otherTenant, 'common')).toBe(false)
    expect(
      microsoftIssuerMatches(
        { ...microsoftClaims, iss: 'https://evil.example.com/v2.0' },
        'common',
      ),
    ).toBe(false)
  })

  it("accepts on a tenant's endpoint only that tenant", () => {
    expect(microsoftIssuerMatches(microsoftClaims, microsoftClaims.tid)).toBe(true)
    expect(microsoftIssuerMatches(microsoftClaims, '9188040d-6c67-4c5b-b112-36a304b66dad')).toBe(
      false,
    )
  })
})

describe('which providers are offered', () => {
  it('offers a named provider only when its settings are complete', () => {
    const settings = parseSettings({
      ...env,
      GOOGLE_CLIENT_ID: 'google-client',
      GOOGLE_CLIENT_SECRET: 'google-secret',
      GITHUB_CLIENT_ID: 'github-client',
      APPLE_CLIENT_ID: 'com.example.web',
      APPLE_TEAM_ID: 'TEAM123456',
      MICROSOFT_CLIENT_ID: 'ms-client',
      MICROSOFT_CLIENT_SECRET: 'ms-secret',
    })
    expect(signInMethods(settings).providers).toEqual([
      { id: 'google', name: 'Google' },
      { id: 'microsoft', name: 'Microsoft' },
      { id: 'loopback', name: 'Loopback OIDC' },
      { id: 'loopback-untrusted', name: 'Loopback OIDC (email not trusted)' },
    ])
  })

  it('names OIDC_PROVIDERS when it is not a JSON list of providers', () => {
    expect(() => parseSettings({ ...env, OIDC_PROVIDERS: '{oops' })).toThrow(/OIDC_PROVIDERS/)
    expect(() =>
      parseSettings({ ...env, OIDC_PROVIDERS: JSON.stringify([{ id: 'x', issuer: 'nope' }]) }),
    ).toThrow(/OIDC_PROVIDERS/)
  })
})
