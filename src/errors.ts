/**
 * The one error type and the one error shape: `{"error": {"code", "message"}}`. Anything thrown that
 * is not an `AppError` is reported as a bare 500 `internal_error`, its details kept to the log.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** An error meant for the client: its status, a snake_case code and a human sentence. */
export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** 400 `invalid_request` only: each failing field, for clients that show them per field. */
    readonly fields?: FieldProblem[],
  ) {
    super(message)
  }
}

/** One failing field: where (`body.email`) and what is wrong with it. */
export interface FieldProblem {
  path: string
  message: string
}

/** The JSON body every error response carries. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldProblem[] }
}

export const errorBody = (code: string, message: string, fields?: FieldProblem[]): ErrorBody => ({
  error: fields?.length ? { code, message, fields } : { code, message },
})

/** 401 with the RFC 6750 challenge, for any credential that does not verify. */
export const unauthorized = (code: string, message: string) =>
  new AppError(401, code, message, { 'WWW-Authenticate': `Bearer error="invalid_token"` })

export const notFound = (what = 'The resource') =>
  new AppError(404, 'not_found', `${what} was not found.`)

export const invalidRequest = (message: string, fields?: FieldProblem[]) =>
  new AppError(400, 'invalid_request', message, {}, fields)
