/**
 * The error vocabulary: every `error.code` the service answers with, and one sentence each saying
 * what it means. The OpenAPI document's `Error.code` enum comes from here, and
 * test/error-codes.test.ts fails when a code thrown anywhere in src/ is missing.
 */
export const ERROR_CODES = {
  invalid_request: 'The request is malformed; the message names each failing field.',
  invalid_or_expired_token: 'The sign-in link is invalid, expired or already used.',
  invalid_or_expired_code:
    "The sign-in link's code is wrong, expired, already used or was guessed at too often.",
  session_required:
    'The step needs the session that asked for the link: its cookie, or its refresh token.',
  recent_sign_in_required: 'Setting a first password needs a sign-in within the last 5 minutes.',
  transport_conflict:
    'The request carries the session cookie and asks for token transport; it may do only one.',
  unauthenticated: 'The endpoint needs a session and none was presented.',
  invalid_token: 'The access token is missing, malformed, invalid or expired.',
  invalid_refresh_token: 'The refresh token is not valid, or its session expired or was revoked.',
  refresh_token_reused: 'A refresh token was used twice; its session has been revoked.',
  refresh_token_superseded: 'The session signed in since this token was issued; use the new one.',
  session_revoked: 'The session is no longer active.',
  token_superseded:
    "The token's user was merged into an account or erased; refresh, and the write lands there.",
  invalid_credentials: 'The email or password is wrong.',
  csrf_rejected:
    'A cookie-authenticated write came without an allowed Origin; send Origin, or use token transport.',
  forbidden: 'The endpoint is for administrators.',
  account_required: 'Only an account (not an anonymous user) can do this.',
  not_found: 'No such route or resource.',
  email_taken: 'An account with this email already exists.',
  payload_too_large: 'The body, or a field or stored value, exceeds its size limit.',
  quota_exceeded:
    'The write would take the user past a quota (409 for a count, 413 for bytes); the message names the limit and its setting.',
  unsupported_media_type: 'The body is not in a content type the route accepts (application/json).',
  request_rejected: 'The request was rejected before reaching its route.',
  rate_limited: 'Too many requests; retry after the Retry-After seconds.',
  internal_error: 'An unexpected error; details are in the log only.',
  misconfigured: 'A setting is missing or malformed; the message names it.',
  mail_unavailable: 'The sign-in email could not be sent; retry shortly.',
  keys_unavailable: 'The signing keys could not be loaded; retry shortly.',
} as const satisfies Record<string, string>

export type ErrorCode = keyof typeof ERROR_CODES

/** The codes as a non-empty tuple, for `z.enum`. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]
