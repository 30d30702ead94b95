/**
 * Builds the Hono app for one runtime: middleware order, route mounting, the one error handler.
 * Order matters: request id and secure headers wrap everything, CORS answers preflights before the
 * origin check, the body limit runs before any route reads a body.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import { routePath } from 'hono/route'
import pkg from '../package.json'
import { secureHeaders } from 'hono/secure-headers'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { cookieName, SESSION_COOKIE, TRANSPORT_HEADER } from './http/transport'
import { AppError, errorBody } from './platform/errors'
import type { AppEnv } from './http/app-env'
import { auditScope } from './http/audit-scope'
import { knownRoutesOnly, noRouteMessage } from './http/known-route'
import { BOOKMARK_HEADER, readReplicas } from './http/read-replicas'
import { corsOrigin, originCheck } from './http/origin-check'
import { requestLog } from './http/request-log'
import { transportGuard } from './http/transport-guard'
import {
  loadAccountRoutes,
  loadFactorRoutes,
  loadIdentityRoutes,
  loadMagicLinkRoutes,
  loadPasskeyRoutes,
  loadProviderRoutes,
  loadSignOutRoutes,
} from './identity'
import {
  loadAdminFactorRoutes,
  loadAdminIdentityRoutes,
  loadAdminPasskeyRoutes,
  loadAdminRoutes,
  loadAdminUserRoutes,
} from './admin'
import { loadAuthRoutes, loadMeRoutes, loadSessionRoutes } from './session'
import {
  docsRoutes,
  loadDemoRoutes,
  loadDevRoutes,
  loadPublicRoutes,
  serveApiDocument,
} from './site'
import {
  loadDocumentRoutes,
  loadOAuthRoutes,
  loadPreferenceRoutes,
  loadSecretRoutes,
} from './user-data'
import { loadEventRoutes } from './events'
import type { Runtime } from './platform/runtime'
import { CODE, type ErrorCode } from './contract/error-codes'

const OPENAPI_DESCRIPTION =
  'Anonymous-first sessions and identity. Every error is {"error": {"code", "message"}}. ' +
  'Send X-Session-Transport: token to get tokens in the body instead of cookies.'

/** Bodies above this are refused with 413 unless a route sets its own limit. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024

/**
 * Raw body limits for paths that need more than the default, by path prefix; each request gets
 * exactly one limit, checked before anything reads the body. Field limits (a document's 256 KiB
 * of content, a secret's 4 KiB) are checked by the route's schema; these leave room for the JSON.
 */
const BODY_LIMITS: ReadonlyArray<readonly [prefix: string, bytes: number]> = [
  ['/v1/documents', 320 * 1024],
]

function payloadLimit(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, CODE.payload_too_large, `The request body exceeds ${maxSize} bytes.`)
    },
  })
}

const HSTS = 'max-age=63072000; includeSubDomains'

/**
 * Paths whose GETs read only the user's own data and decide nothing about security: served by a
 * D1 replica near the user at the client's bookmark (src/http/read-replicas.ts). Not /v1/me or
 * /v1/sessions (a revocation or a merge shows there at once), not admin or sign-in; a `fresh`
 * check or a transparent refresh moves the rest of its request to the primary.
 */
const REPLICA_READ_PREFIXES = [
  '/v1/me/preferences',
  '/v1/me/secrets',
  '/v1/me/events',
  '/v1/documents',
  '/v1/oauth',
]

function readsFromReplica(c: Context<AppEnv>): boolean {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return false
  const path = c.req.path
  return REPLICA_READ_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
}

/**
 * The app for one runtime, built on an isolate's first HTTP request (src/worker.ts), while that
 * request's first D1 read is in flight.
 */
export async function createApp(rt: Runtime) {
  const { settings } = rt
  const app = new OpenAPIHono<AppEnv>()

  app.use(requestLog(settings.LOG_LEVEL))
  app.use(async (c, next) => {
    c.set('rt', rt)
    c.set('user', null)
    c.set('issued', null)
    await next()
  })
  app.use(auditScope())
  // The browser SDK tells a CORS refusal from a service that is down by a no-cors probe of
  // /healthz, which the browser hands over (opaque) only if CORP allows any origin. Registered
  // before secureHeaders so that it runs after it and wins; /healthz tells nothing about anyone.
  app.use('/healthz', async (c, next) => {
    await next()
    c.header('Cross-Origin-Resource-Policy', 'cross-origin')
  })
  app.use(
    secureHeaders({
      strictTransportSecurity: settings.COOKIE_SECURE ? HSTS : false,
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
    }),
  )
  app.use(
    '/v1/*',
    cors({
      origin: corsOrigin(settings.ALLOWED_ORIGINS, settings.LOG_LEVEL),
      credentials: true,
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: ['Content-Type', 'Authorization', TRANSPORT_HEADER, BOOKMARK_HEADER],
      exposeHeaders: ['Retry-After', 'WWW-Authenticate', BOOKMARK_HEADER],
      maxAge: 600,
    }),
  )
  app.use('/v1/*', async (c, next) => {
    // Every /v1 answer is about one user, and many carry tokens: nothing may be cached.
    await next()
    c.header('Cache-Control', 'no-store')
  })
  // CORS has answered any preflight; a path no route serves is a 404 before any other check.
  app.use('/v1/*', knownRoutesOnly())
  app.use('/v1/*', originCheck(settings.ALLOWED_ORIGINS))
  app.use('/v1/*', transportGuard())
  app.use('/v1/*', readReplicas(readsFromReplica))
  const limiters = [...BODY_LIMITS, ['/v1', DEFAULT_BODY_LIMIT_BYTES] as const].map(
    ([prefix, maxSize]) => [prefix, payloadLimit(maxSize)] as const,
  )
  app.use('/v1/*', (c, next) => {
    const path = c.req.path
    const [, limit] = limiters.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))!
    return limit(c, next)
  })

  await mountRoutes(app, settings)
  // Built with the assets (scripts/build-assets.mjs), so generating it costs no isolate start.
  app.get(
    '/openapi.json',
    serveApiDocument(() => app.routes),
  )
  app.route('/', docsRoutes)

  app.notFound((c) => c.json(errorBody(CODE.not_found, noRouteMessage(c)), 404))
  app.onError((error, c) => {
    if (error instanceof AppError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value)
      return c.json(errorBody(error.code, error.message, error.fields), error.status)
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode
      return c.json(
        errorBody(httpExceptionCode(status), error.message || 'The request was rejected.'),
        status,
      )
    }
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'unhandled error',
        route: routePath(c, -1),
        error: String(error),
        stack: (error as Error)?.stack,
      }),
    )
    return c.json(errorBody(CODE.internal_error, 'An internal error occurred.'), 500)
  })
  return app
}

type RouteSettings = Pick<Runtime['settings'], 'MAILER' | 'DEMO'>

/**
 * Every route group, in the order they match. Each is a loader (`() => import(…)` in its slice's
 * index.ts): a route module builds its zod schemas when it is evaluated, which was most of an
 * isolate's start-up CPU. Loaded here, they are evaluated when an isolate builds its app, and
 * never in one that only runs the session object, the cron sweep or RPC.
 */
const ROUTE_GROUPS = [
  loadPublicRoutes,
  loadMeRoutes,
  loadSessionRoutes,
  loadAuthRoutes,
  loadSignOutRoutes,
  loadAccountRoutes,
  loadMagicLinkRoutes,
  loadPasskeyRoutes,
  loadProviderRoutes,
  loadIdentityRoutes,
  loadFactorRoutes,
  loadAdminRoutes,
  loadAdminUserRoutes,
  loadAdminPasskeyRoutes,
  loadAdminIdentityRoutes,
  loadAdminFactorRoutes,
  loadOAuthRoutes,
  loadPreferenceRoutes,
  loadSecretRoutes,
  loadDocumentRoutes,
  loadEventRoutes,
]

/** Mounts every route group; the dev outbox and the demo only by setting. */
async function mountRoutes(app: OpenAPIHono<AppEnv>, settings: RouteSettings) {
  const groups = [
    ...ROUTE_GROUPS,
    // The dev outbox exists only while mail stays local; with a real provider it is a 404.
    ...(settings.MAILER === 'outbox' ? [loadDevRoutes] : []),
    // The demo page is for local development: it exists only when DEMO=true (default false).
    ...(settings.DEMO ? [loadDemoRoutes] : []),
  ]
  for (const routes of await Promise.all(groups.map((load) => load()))) app.route('/', routes)
}

/**
 * The OpenAPI document of every route any configuration serves, run at build time (in Node, by
 * scripts/dump-openapi.mjs) so that no isolate generates it. Serving it
 * (src/site/api-document.ts) names the server and drops the routes this configuration lacks.
 */
export async function describeApi(): Promise<object> {
  // Only the build (scripts/dump-openapi.mjs) calls this: these stay out of a Worker's start-up.
  const [{ completeDocument }, { ErrorSchema }] = await Promise.all([
    import('./platform/openapi/document'),
    import('./platform/openapi/schemas'),
  ])
  const app = new OpenAPIHono<AppEnv>()
  await mountRoutes(app, { MAILER: 'outbox', DEMO: false })
  app.openAPIRegistry.register('Error', ErrorSchema)
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token (`Authorization: Bearer`); admin routes need `role: admin`.',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: cookieName(SESSION_COOKIE, true),
    description:
      'Browsers: the session cookie, with the access cookie beside it. Any cookie-authenticated ' +
      'answer may set fresh cookies (transparent refresh).',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_TOKEN secret as a Bearer token (admin routes only).',
  })
  const generated = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'edge-session', version: pkg.version, description: OPENAPI_DESCRIPTION },
  })
  return completeDocument(generated)
}

/** Hono's own exceptions (malformed JSON, wrong content type) in the contract's vocabulary. */
function httpExceptionCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return CODE.invalid_request
    case 413:
      return CODE.payload_too_large
    case 415:
      return CODE.unsupported_media_type
    default:
      return status >= 500 ? CODE.internal_error : CODE.request_rejected
  }
}
