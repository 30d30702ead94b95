/** `createRoute` for the admin API: the admin-only middleware, the Admin tag and admin security. */
import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import { adminOnly } from './admin-guard'
import { ADMIN_ACCESS } from '../platform/openapi/components'

const admin = adminOnly()

export function adminRoute<R extends Omit<RouteConfig, 'middleware' | 'tags' | 'security'>>(
  config: R,
) {
  return createRoute({
    ...config,
    middleware: [admin] as const,
    tags: ['Admin'],
    security: ADMIN_ACCESS,
  })
}
