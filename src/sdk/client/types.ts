/**
 * The request and response shapes the SDK speaks, written out as plain types so that the
 * published `.d.ts` stands alone: no zod, no Hono, no server module in a browser project's type
 * graph (src/contract/api.ts imports nothing either). test/sdk/client/contract-types.test.ts holds each one equal to what the server's own zod
 * schemas and route definitions type, so they cannot drift from the contract.
 */

import type { User } from '../../contract/api'
import type { CODE } from '../../contract/error-codes'

/** The contract's `User` (src/contract/api.ts, types only, shared with the Worker library). */
export type { User }

/** The contract's `Session`; `current` marks the one making the request. */
export interface Session {
  id: string
  createdAt: string
  lastSeenAt: string
  expiresAt: string
  userAgent: string | null
  ip: string | null
  current: boolean
}

/** Token transport's pair. */
export interface Tokens {
  accessToken: string
  refreshToken: string
  tokenType: 'Bearer'
  expiresIn: number
}

/** What a sign-in from an anonymous session moved into the account. */
export interface Merge {
  from: string
  into: string
  moved: { documents: number; preferences: number; secrets: number; oauth: number }
  conflicts: { kind: string; key: string }[]
  /**
   * Present when nothing merged because the account has reached a quota this merge would add to;
   * the sign-in succeeded and the anonymous data stays where it was. Tell the user.
   */
  skipped?: typeof CODE.quota_exceeded
  /** With `skipped`: the account's quotas that stopped the merge. */
  quotas?: ('documents' | 'documentBytes' | 'secrets' | 'oauthServers')[]
}

/** `{user, session}` (+ `tokens` in token transport). */
export interface UserSession {
  user: User
  session: Session
  tokens?: Tokens | undefined
}

/** `{user, session, merge}` (+ `tokens`, + `deviceCredential`): what every sign-in answers. */
export interface SignIn extends UserSession {
  merge: Merge | null
  /**
   * Token transport, once the account's email is proven: send it back as `deviceCredential` with
   * later sign-in requests for this email, so strangers' failures never spend this client's budget.
   */
  deviceCredential?: string | undefined
}

/** How a second-factor challenge may be answered. */
export type SecondFactorMethod = 'totp' | 'recovery_code'

/**
 * What a first factor (password, link, code) answers (202) for an account with a second factor:
 * no session, nothing merged; answer `challenge` with `mfa.verify()` within 5 minutes.
 */
export interface SecondFactorRequired {
  secondFactorRequired: true
  challenge: string
  methods: SecondFactorMethod[]
  /** ISO 8601. */
  expiresAt: string
}

/** An authenticator app being enrolled: show `qrCode` (an SVG data URL), or `secret` to type. */
export interface TotpEnrolment {
  uri: string
  qrCode: string
  secret: string
}

/** The account's second factor; never its secret. */
export interface SecondFactors {
  totp: {
    confirmed: boolean
    createdAt: string
    confirmedAt: string | null
    lastUsedAt: string | null
  } | null
  recoveryCodesLeft: number
}

/** The user's preferences: known keys and any others, kept as they were sent. */
export type Preferences = { [key: string]: unknown }

/** What `register` answers, whether or not the email has an account. */
export interface RegistrationSent {
  sent: true
}

/** What a mailed link is for (a sign-in, or a registration's confirmation), before it is used. */
export interface LinkPreview {
  purpose: 'sign_in' | 'register'
  /** The account the link is for, masked: `jo•••@example.com`. */
  email: string
  /** True when this session asked for the link: only then does its data merge. */
  sameSession: boolean
}

/** A JSON merge patch (RFC 7396): `null` deletes a key, objects merge. */
export type PreferencesPatch = {
  [key: string]: unknown
  theme?: 'light' | 'dark' | 'system' | null | undefined
  locale?: string | null | undefined
  timezone?: string | null | undefined
}

export interface SecretSummary {
  name: string
  createdAt: string
  updatedAt: string
}

export interface DocumentSummary {
  id: string
  title: string
  createdAt: string
  updatedAt: string
}

export interface DocumentsPage {
  documents: DocumentSummary[]
  nextCursor: string | null
}

export interface Document extends DocumentSummary {
  content: string
}

export interface NewDocument {
  title: string
  content: string
}

export interface DocumentChanges {
  title?: string | undefined
  content?: string | undefined
}

export interface OAuthServer {
  serverId: string
  hasTokens: boolean
  hasClient: boolean
  hasVerifier: boolean
  updatedAt: string
}

/** RFC 6749 §5.1 tokens as the MCP SDK stores them; other fields are kept. */
export type OAuthTokens = {
  [key: string]: unknown
  access_token: string
  token_type: string
  id_token?: string | undefined
  expires_in?: number | undefined
  scope?: string | undefined
  refresh_token?: string | undefined
  issuer?: string | undefined
}

/** RFC 7591 client information as the MCP SDK stores it; other fields are kept. */
export type OAuthClientInformation = {
  [key: string]: unknown
  client_id: string
  client_secret?: string | undefined
  client_id_issued_at?: number | undefined
  client_secret_expires_at?: number | undefined
  issuer?: string | undefined
}

/** What `oauth.forget(serverId, scope)` removes. */
export type OAuthScope = 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'

export interface AuditEvent {
  type: string
  at: string
  sessionId: string | null
  ip: string | null
  userAgent: string | null
  /** Event-specific JSON; never a token, secret or password. */
  detail: { [key: string]: unknown }
}

export interface OutboxMessage {
  to: string
  subject: string
  text: string
  link: string | null
  token: string | null
  sentAt: string
}

/** A passkey of the account: what the API shows (never its key or counter). */
export interface Passkey {
  id: string
  name: string
  createdAt: string
  lastUsedAt: string | null
  /** `multiDevice`: a synced passkey; `singleDevice`: bound to one authenticator. */
  deviceType: 'singleDevice' | 'multiDevice'
  backedUp: boolean
}

/** A sign-up with a passkey alone: the new account, signed in, and its passkey. */
export interface PasskeySignUp extends SignIn {
  passkey: Passkey
}
