/**
 * The one error type and the one error shape: `{"error": {"code", "message"}}`. Anything thrown that
 * is not an `AppError` is reported as a bare 500 `internal_error`, its details kept to the log.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { CODE, errorMessage, type ErrorCode } from '../contract/error-codes'

/**
 * An error meant for the client: its status, a code of the vocabulary and that code's message.
 * `detail` says what happened this time: it is the message only for the codes whose message names
 * the particulars (`DETAILED_CODES`); for every other code it goes to the log line instead.
 */
export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
    /** 400 `invalid_request` only: each failing field, for clients that show them per field. */
    readonly fields?: FieldProblem[],
  ) {
    super(errorMessage(code, detail))
  }
}

/** One failing field: where (`body.email`) and what is wrong with it. */
export interface FieldProblem {
  path: string
  message: string
}

/** The JSON body every error response carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldProblem[] }
}

/** The body for `code`, with its message (or the particulars, for a detailed code). */
export const errorBody = (code: ErrorCode, detail?: string, fields?: FieldProblem[]): ErrorBody => {
  const message = errorMessage(code, detail)
  return { error: fields?.length ? { code, message, fields } : { code, message } }
}

/** 401 with the RFC 6750 challenge, for any credential that does not verify. */
export const unauthorized = (code: ErrorCode, detail?: string) =>
  new AppError(401, code, detail, { 'WWW-Authenticate': `Bearer error="invalid_token"` })

/** The token's user was merged into an account or erased: refresh, and land under the account. */
export const tokenSuperseded = () => unauthorized(CODE.token_superseded)

export const notFound = (what = 'The resource') =>
  new AppError(404, CODE.not_found, `${what} was not found.`)

export const invalidRequest = (message: string, fields?: FieldProblem[]) =>
  new AppError(400, CODE.invalid_request, message, {}, fields)

/** The `default` of a switch over a tagged result: a new tag fails to compile until it is mapped. */
export function unreachable(value: never): never {
  throw new Error(`unhandled result: ${JSON.stringify(value)}`)
}
