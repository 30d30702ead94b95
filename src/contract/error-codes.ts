/**
 * The error vocabulary: every `error.code` the service, the Worker library and the browser SDK
 * answer with, and the one message each code carries. The OpenAPI document's `Error.code` enum
 * comes from here; test/contract/error-codes.test.ts fails when a code is written as a string anywhere else.
 *
 * A message says what happened in general; what happened this time (which token, which limit)
 * goes to the log line. Only the codes in `DETAILED_CODES` put the particulars in the message,
 * because the particulars are the answer: the failing fields, the missing setting, the resource.
 */
export const ERROR_CODES = {
  invalid_request: 'The request is malformed; the message names each failing field.',
  invalid_or_expired_token: 'This sign-in link is invalid, expired or already used.',
  invalid_or_expired_code:
    "The sign-in link's code is wrong, expired, already used or was guessed at too often.",
  session_required:
    'This step needs the session that asked for it (the link, or the registration): its cookie, or its refresh token.',
  recent_sign_in_required:
    'This change (a password, a passkey, a second factor) needs a sign-in or a second-factor code within the last 5 minutes: sign in again, or verify a code.',
  invalid_or_expired_challenge:
    'The challenge (a passkey ceremony, a second factor) is unknown, expired or already used; start again.',
  invalid_factor_code:
    'The second-factor code (from the authenticator app, or a recovery code) is wrong, expired or already used.',
  factor_already_enrolled:
    'This account already has a confirmed authenticator app: disable it before enrolling another.',
  factor_not_enrolled:
    'This account has no authenticator app enrolled (or none waiting for confirmation).',
  passkey_rejected:
    'The passkey did not verify (origin, relying party, challenge, signature, user verification or counter).',
  passkey_taken: 'This passkey is already registered.',
  last_sign_in_method:
    "This is the account's last way to sign in: add a password, prove its email, add a passkey or link another provider first.",
  unknown_provider:
    'No sign-in provider of this id is configured (GET /v1/auth/providers lists them).',
  redirect_not_allowed:
    'The redirectTo address is not allowed: its origin must be in REDIRECT_ORIGINS (or a loopback address).',
  invalid_oauth_state:
    'The sign-in with the provider is unknown, expired or already finished (state); start it again.',
  provider_session_mismatch:
    'This browser is not the one that started the sign-in with the provider; start it again here.',
  provider_rejected:
    "The provider's answer did not verify (code, ID token issuer, audience, nonce, signature or expiry).",
  provider_unavailable: 'The provider could not be reached; retry shortly.',
  invalid_handoff:
    'The sign-in code is unknown, expired, already used, or does not match the code verifier.',
  identity_email_in_use:
    "An account already uses this identity's email, and this provider's email verification is not trusted for linking: sign in to that account first and link the provider from there.",
  identity_taken: 'This provider identity is already linked to another account.',
  transport_conflict:
    'This request carries the session cookie, so it cannot ask for tokens: drop the ' +
    'X-Session-Transport header, or send no cookies (fetch credentials: "omit").',
  unauthenticated: 'This endpoint needs a session; none was presented.',
  invalid_token: 'The access token is missing, malformed, invalid or expired.',
  invalid_refresh_token: 'The refresh token is not valid, or its session expired or was revoked.',
  refresh_token_reused: 'This refresh token was already used; the session has been revoked.',
  refresh_token_superseded:
    'This session has signed in since this token was issued; use the new credentials.',
  session_revoked: 'The session is no longer active.',
  token_superseded:
    "This token's user has been merged into an account or erased; refresh and retry.",
  invalid_credentials: 'The email or password is wrong.',
  csrf_rejected:
    'Cross-site request rejected: a write that relies on cookies needs an allowed Origin header. ' +
    'An API client should send "X-Session-Transport: token" and use bearer tokens.',
  forbidden:
    'This endpoint is for administrators: an admin account (its proven email in ADMIN_EMAILS) ' +
    'or the ADMIN_TOKEN secret as a bearer token.',
  admin_credentials_required:
    'Admin routes need "Authorization: Bearer <ADMIN_TOKEN>" (the secret), or the access token ' +
    'of an admin account whose session is live.',
  account_required: 'Only an account (not an anonymous user) can do this.',
  not_found: 'No such route or resource.',
  email_taken: 'An account with this email already exists.',
  payload_too_large: 'The body, or a field or stored value, exceeds its size limit.',
  quota_exceeded:
    'The write would take the user past a quota (409 for a count, 413 for bytes); the message names the limit and its setting.',
  unsupported_media_type: 'The body is not in a content type the route accepts (application/json).',
  request_rejected: 'The request was rejected before reaching its route.',
  rate_limited: 'Too many requests; retry after the Retry-After seconds.',
  internal_error: 'An internal error occurred.',
  misconfigured: 'A setting is missing or malformed; the message names it.',
  database_not_migrated:
    'The D1 database has no tables yet: apply the migrations with `npx wrangler d1 migrations ' +
    'apply DB --local` (with the same --persist-to as `wrangler dev`), or `--remote` for a deployed Worker.',
  mail_unavailable:
    'The sign-in email could not be sent; the message says whether to retry or which setting is missing.',
  keys_unavailable: 'The signing keys could not be loaded; retry shortly.',
} as const satisfies Record<string, string>

export type ErrorCode = keyof typeof ERROR_CODES

/** The codes as a non-empty tuple, for `z.enum`. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]

/** Each code by name, so code is written `CODE.invalid_token`, never as a string. */
export const CODE = Object.fromEntries(ERROR_CODE_LIST.map((code) => [code, code])) as {
  readonly [C in ErrorCode]: C
}

/** Codes whose message names the particulars, since they are the answer (see above). */
export const DETAILED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  CODE.invalid_request,
  CODE.not_found,
  CODE.payload_too_large,
  CODE.misconfigured,
  // A retry helps after a provider's failure, never while no mailer is configured.
  CODE.mail_unavailable,
  // Which limit, and the setting that sets it: what the caller needs to act.
  CODE.quota_exceeded,
])

/** The message a client sees for `code`: its one sentence, or the particulars where it has them. */
export function errorMessage(code: ErrorCode, detail?: string): string {
  return detail !== undefined && DETAILED_CODES.has(code) ? detail : ERROR_CODES[code]
}

/** Codes only the browser SDK raises, for an answer it never got or could not read. */
export const CLIENT_ERROR_CODES = {
  network_error: 'The request did not reach the server.',
  cors_refused:
    "The server answered, but the browser withheld the answer (CORS): add this page's origin to the service's ALLOWED_ORIGINS.",
  http_error: 'The server answered with something other than the contract.',
  invalid_response: 'The answer was not JSON.',
  provider_sign_in_not_started:
    'No provider sign-in was started from this client (its PKCE verifier is missing): call signInWith() again.',
  needs_second_factor:
    'The password or link was right and the account asks for its second factor: answer the challenge with mfa.verify().',
} as const satisfies Record<string, string>

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES

export const CLIENT_CODE = Object.fromEntries(
  Object.keys(CLIENT_ERROR_CODES).map((code) => [code, code]),
) as { readonly [C in ClientErrorCode]: C }
