/**
 * Shared pieces of the OpenAPI document: the security requirements a route declares, and the
 * error responses, headers and parameter that many operations point to by `$ref`. Plain objects
 * with no imports from the app, so route files and the document builder can both use them.
 */

/** No credentials needed: health, JWKS, starting a session, signing in. */
export const PUBLIC_ACCESS: Array<Record<string, string[]>> = []

/** A user's session: an access token as Bearer, or the browser's cookies. */
export const USER_ACCESS: Array<Record<string, string[]>> = [{ bearer: [] }, { sessionCookie: [] }]

/**
 * Administrators: the ADMIN_TOKEN as Bearer, or a session whose role is `admin` (OpenAPI 3.1 lets
 * a non-OAuth requirement name the roles it needs).
 */
export const ADMIN_ACCESS: Array<Record<string, string[]>> = [
  { adminToken: [] },
  { bearer: ['admin'] },
  { sessionCookie: ['admin'] },
]

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }

export const HEADERS = {
  WWWAuthenticate: {
    description: 'The RFC 6750 challenge: `Bearer error="invalid_token"`.',
    schema: { type: 'string', example: 'Bearer error="invalid_token"' },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
  SetCookie: {
    description:
      'The HttpOnly session cookies (`__Host-access`, `__Host-session`; without the prefix when ' +
      'COOKIE_SECURE=false), and at a sign-in to an account whose email is proven the device ' +
      'cookie (`__Host-device`, 400 days), which later sign-in requests for that email spend their ' +
      'own budget with. Not sent with `X-Session-Transport: token`.',
    schema: { type: 'string' },
  },
} as const

const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` })

/** Each error status's response, naming the codes it carries (see src/contract/error-codes.ts). */
export const ERROR_RESPONSES = {
  400: {
    name: 'BadRequest',
    description:
      'Invalid request (`invalid_request`, naming each field; `invalid_or_expired_token`)',
  },
  401: {
    name: 'Unauthorized',
    description:
      'Missing or invalid credentials (`unauthenticated`, `invalid_token`, `invalid_refresh_token`, ' +
      '`refresh_token_reused`, `refresh_token_superseded`, `session_revoked`, `invalid_credentials`, ' +
      '`session_required`)',
    headers: { 'WWW-Authenticate': headerRef('WWWAuthenticate') },
  },
  403: {
    name: 'Forbidden',
    description:
      'Forbidden (`csrf_rejected`: a cookie-authenticated write without an allowed Origin; ' +
      '`forbidden`, `account_required`, `invalid_credentials`)',
  },
  404: { name: 'NotFound', description: 'Not found (`not_found`)' },
  409: { name: 'Conflict', description: 'Conflict (`quota_exceeded`: over a per-user quota)' },
  413: { name: 'PayloadTooLarge', description: 'Too large (`payload_too_large`)' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not JSON (`unsupported_media_type`)',
  },
  429: {
    name: 'RateLimited',
    description: 'Rate limited (`rate_limited`)',
    headers: { 'Retry-After': headerRef('RetryAfter') },
  },
  503: {
    name: 'Unavailable',
    description:
      'Not available (`misconfigured`: a setting is missing or malformed; `mail_unavailable`)',
  },
} as const

export type ErrorStatus = keyof typeof ERROR_RESPONSES

/** `{ $ref }` to the shared response for an error status. */
export const errorResponseRef = (status: ErrorStatus) => ({
  $ref: `#/components/responses/${ERROR_RESPONSES[status].name}`,
})

/** The components/responses entries. */
export function errorResponseComponents() {
  return Object.fromEntries(
    Object.values(ERROR_RESPONSES).map((response) => [
      response.name,
      {
        description: response.description,
        ...('headers' in response ? { headers: response.headers } : {}),
        content: ERROR_CONTENT,
      },
    ]),
  )
}

/** The transport header, declared on every /v1 operation. */
export const SESSION_TRANSPORT_PARAMETER = {
  name: 'X-Session-Transport',
  in: 'header',
  required: false,
  description:
    'Send `token` to get `tokens` in the JSON body and no cookies (API clients; then send ' +
    '`Authorization: Bearer`). Also exempts a write from the cookie CSRF check.',
  schema: { type: 'string', enum: ['token'] },
} as const

/** A session is optional: without one the route still answers (and may start one). */
export const OPTIONAL_USER_ACCESS: Array<Record<string, string[]>> = [{}, ...USER_ACCESS]

/** The refresh token: the session cookie, or `refreshToken` in the body (no scheme needed). */
export const REFRESH_ACCESS: Array<Record<string, string[]>> = [{}, { sessionCookie: [] }]
