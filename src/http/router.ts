/**
 * Every route group is an `OpenAPIHono` whose failed validation becomes a 400 naming each field:
 * in the message, and as `error.fields` for clients that show problems per field. A field over its
 * byte limit, and nothing else wrong, is a 413 naming it instead.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import { isTooLarge } from '../platform/byte-limits'
import { AppError, invalidRequest, type FieldProblem } from '../platform/errors'
import { CODE } from '../contract/error-codes'
import type { AppEnv } from './app-env'

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const fields = fieldProblems(result.error, result.target)
        if (result.error.issues.every(isTooLarge))
          throw new AppError(413, CODE.payload_too_large, describeFields(fields))
        throw invalidRequest(describeFields(fields), fields)
      }
    },
  })
}

const MESSAGE_FIELDS = 5

/** Each failing field as `{path: 'body.refreshToken', message: 'expected string, …'}`. */
export function fieldProblems(error: ZodError, target: string): FieldProblem[] {
  const where =
    {
      json: 'body',
      param: 'path',
      query: 'query',
      header: 'header',
      cookie: 'cookie',
      form: 'form',
    }[target] ?? target
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
}

/** "body.refreshToken: expected string, received number; …", naming the first few fields. */
function describeFields(fields: FieldProblem[]): string {
  return fields
    .slice(0, MESSAGE_FIELDS)
    .map((field) => `${field.path}: ${field.message}`)
    .join('; ')
}
