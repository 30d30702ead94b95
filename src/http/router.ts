/** Every route group is an `OpenAPIHono` whose failed validation becomes a 400 naming the field. */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import { invalidRequest } from '../errors'
import type { AppEnv } from './app-env'

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(describeIssues(result.error, result.target))
    },
  })
}

/** "body.refreshToken: expected string, received number" and so on, naming each failing field. */
export function describeIssues(error: ZodError, target: string): string {
  const where =
    {
      json: 'body',
      param: 'path',
      query: 'query',
      header: 'header',
      cookie: 'cookie',
      form: 'form',
    }[target] ?? target
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ')
}
