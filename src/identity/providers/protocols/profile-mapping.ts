/**
 * What each named provider's answer says about the person, as pure functions over the provider's
 * own JSON (tested against recorded responses): which email is verified, whether that
 * verification is trusted, and the issuer a token must come from.
 */
import { normalizeEmail } from '../../emails'
import { oidcIdentity } from './generic-oidc'
import type { ProviderIdentity } from './provider'

/** GitHub's `GET /user` (the fields read). */
export interface GitHubUser {
  id: number
  login: string
  name?: string | null
  email?: string | null
}

/** One entry of GitHub's `GET /user/emails`. */
export interface GitHubEmail {
  email: string
  primary: boolean
  verified: boolean
}

/**
 * GitHub: the subject is the numeric user id (a login can be renamed); the email is the primary
 * one, verified only if GitHub says so. A public profile email is not the primary and proves nothing.
 */
export function githubIdentity(user: GitHubUser, emails: readonly GitHubEmail[]): ProviderIdentity {
  const primary = emails.find((e) => e.primary)
  const email = primary ? normalizeEmail(primary.email) : null
  const verified = Boolean(primary?.verified)
  return {
    provider: 'github',
    subject: String(user.id),
    email,
    emailVerified: verified,
    emailTrusted: verified,
    name: user.name || user.login,
  }
}

/**
 * Apple: the ID token's `email_verified` arrives as a boolean or the string "true"; the name only
 * in the first callback's `user` form field (Apple never sends it again), unsigned, so it is only
 * a display name.
 */
export function appleIdentity(
  claims: Record<string, unknown>,
  userField: string | null,
): ProviderIdentity {
  const verified = claims.email_verified === true || claims.email_verified === 'true'
  const identity = oidcIdentity('apple', { ...claims, email_verified: verified }, true)
  return { ...identity, name: appleName(userField) }
}

function appleName(userField: string | null): string | null {
  if (!userField) return null
  try {
    const parsed = JSON.parse(userField) as { name?: { firstName?: unknown; lastName?: unknown } }
    const parts = [parsed.name?.firstName, parsed.name?.lastName].filter(
      (part): part is string => typeof part === 'string' && part.length > 0,
    )
    return parts.length ? parts.join(' ').slice(0, 200) : null
  } catch {
    return null
  }
}

/**
 * Microsoft Entra ID: its `email` claim is whatever the tenant's admin typed and is not verified
 * (the "nOAuth" takeover), so it is stored and never trusted, whatever else the token says.
 */
export function microsoftIdentity(claims: Record<string, unknown>): ProviderIdentity {
  const email =
    typeof claims.email === 'string'
      ? normalizeEmail(claims.email)
      : typeof claims.preferred_username === 'string' && claims.preferred_username.includes('@')
        ? normalizeEmail(claims.preferred_username)
        : null
  return {
    provider: 'microsoft',
    subject: String(claims.sub),
    email,
    emailVerified: false,
    emailTrusted: false,
    name: typeof claims.name === 'string' ? claims.name : null,
  }
}

const MICROSOFT_SHARED_TENANTS = new Set(['common', 'organizations', 'consumers'])

/**
 * Microsoft's issuer names the user's tenant (`https://login.microsoftonline.com/{tid}/v2.0`). On
 * a shared endpoint any tenant may sign in, so the issuer must name the token's own `tid`; on a
 * tenant's endpoint it must name that tenant.
 */
export function microsoftIssuerMatches(claims: Record<string, unknown>, tenant: string): boolean {
  const tid = claims.tid
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) return false
  if (claims.iss !== `https://login.microsoftonline.com/${tid}/v2.0`) return false
  return MICROSOFT_SHARED_TENANTS.has(tenant) || tenant.toLowerCase() === tid.toLowerCase()
}
