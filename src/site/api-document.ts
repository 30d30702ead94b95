/**
 * `GET /openapi.json`: the document built with the assets (public/openapi.json, written by
 * scripts/build-assets.mjs), completed with what only this deployment knows: its public origin,
 * its session cookie's name, and only the routes this configuration serves (the dev outbox is
 * absent unless mail stays local).
 */
import type { Context } from 'hono'
import type { RouterRoute } from 'hono/types'
import type { AppEnv } from '../http/app-env'
import { cookieName, SESSION_COOKIE } from '../http/transport'
import { fetchAsset } from './static-assets'

interface ApiDocument {
  servers?: Array<{ url: string; description?: string }>
  paths: Record<string, Record<string, unknown>>
  components?: { securitySchemes?: Record<string, { in?: string; name?: string }> }
}

/** `/v1/sessions/{id}` as Hono writes it: `/v1/sessions/:id`. */
const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1')

/** The built document as this deployment serves it; `routes` are the app's own. */
export function servedDocument(
  built: ApiDocument,
  options: { origin: string; cookieSecure: boolean; routes: readonly RouterRoute[] },
): ApiDocument {
  const served = new Set(options.routes.map((r) => `${r.method} ${r.path}`))
  const paths: ApiDocument['paths'] = {}
  for (const [path, operations] of Object.entries(built.paths)) {
    const kept = Object.entries(operations).filter(([method]) =>
      served.has(`${method.toUpperCase()} ${toHonoPath(path)}`),
    )
    if (kept.length > 0) paths[path] = Object.fromEntries(kept)
  }
  const schemes = built.components?.securitySchemes
  const cookie = schemes?.sessionCookie
  return {
    ...built,
    servers: [{ url: options.origin, description: 'This service' }],
    paths,
    components: {
      ...built.components,
      ...(cookie && {
        securitySchemes: {
          ...schemes,
          sessionCookie: { ...cookie, name: cookieName(SESSION_COOKIE, options.cookieSecure) },
        },
      }),
    },
  }
}

/** The handler; `routes` is read per request, once every route is mounted. */
export function serveApiDocument(routes: () => readonly RouterRoute[]) {
  return async (c: Context<AppEnv>) => {
    const built = await (await fetchAsset(c, '/openapi.json')).json<ApiDocument>()
    const { settings } = c.var.rt
    return c.json(
      servedDocument(built, {
        origin: settings.PUBLIC_ORIGIN,
        cookieSecure: settings.COOKIE_SECURE,
        routes: routes(),
      }),
    )
  }
}
