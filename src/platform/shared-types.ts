/**
 * The shapes that cross layers: what the HTTP layer, the services and the session object hand
 * each other. Types only, importing nothing but the public contract, so any layer may import them
 * without reaching up to the module that produces them (see .dependency-cruiser.cjs).
 */
export type { UserContext } from '../contract/api'
import type { CODE } from '../contract/error-codes'

/** What an audit event or session row records of the request that caused it. */
export interface RequestMeta {
  ip: string | null
  userAgent: string | null
  country: string | null
}

/** Who the session belongs to: what access-token claims and the `user` answer are made from. */
export interface SessionSubject {
  userId: string
  isAnonymous: boolean
  role: string
  email: string | null
  userCreatedAt: number
}

/** A live session as the Worker sees it: enough to answer `{user, session}` without D1. */
export interface SessionView extends SessionSubject {
  sessionId: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
  userAgent: string | null
  ip: string | null
  /**
   * When a credential last proved this account in this session (a password, a link, a code);
   * null for an anonymous session. Setting a first password needs this to be recent.
   */
  authenticatedAt?: number | null
}

/** An account as a session needs it: who to bind to and what the tokens will say. */
export interface AccountSubject {
  userId: string
  /** Null for an account made with a passkey alone. */
  email: string | null
  role: string
  userCreatedAt: number
}

/** What a sign-in link or code proved: the account, and whether older credentials were dropped. */
export interface ClaimedMailbox {
  account: AccountSubject
  /** The account's email had never been proven: its password is gone; end its other sessions. */
  droppedCredentials: boolean
}

/** The kinds the contract's `Merge.moved` reports. */
export type MergeKind = 'documents' | 'preferences' | 'secrets' | 'oauth'

/** The quotas that can stop a merge (see user-data/merge-quotas.ts). */
export type MergeQuotaKind = 'documents' | 'documentBytes' | 'secrets' | 'oauthServers'

export interface MergeReport {
  from: string
  into: string
  moved: Record<MergeKind, number>
  conflicts: Array<{ kind: string; key: string }>
  /** Present when nothing moved because the account has reached a quota the merge would add to. */
  skipped?: typeof CODE.quota_exceeded
  /** With `skipped`: the account's quotas that stopped the merge. */
  quotas?: MergeQuotaKind[]
}

/** A session just created or rotated: what the transport hands to the client. */
export interface IssuedSession {
  view: SessionView
  accessToken: string
  refreshToken: string
  expiresIn: number
}

/** What kind of value a sealed slot holds; part of its AES-GCM associated data (platform/crypto/sealing.ts). */
export type SealedKind =
  'secret' | 'oauth.tokens' | 'oauth.client' | 'oauth.verifier' | 'signing-key' | 'totp-secret'
