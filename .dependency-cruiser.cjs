/**
 * The layers of src/ and durable-objects/, lowest first, and what each may import. A module
 * imports only from its own layer or a lower one; `npm run lint:deps` (and .ci/run) fail on any
 * import that runs upward, and on any import loop. The README's "Layout" table says the same.
 *
 *   shapes      src/contract/api.ts, src/platform/shared-types.ts, src/contract/error-codes.ts and other leaf helpers
 *   base        src/platform/config.ts, src/platform/errors.ts, src/openapi/, src/db/
 *   auth        src/auth/: token and crypto primitives
 *   services    src/services/, src/platform/openapi/schemas.ts, src/session/record.ts
 *   runtime     src/platform/runtime-base.ts: what the Worker and the session object both build
 *   object      durable-objects/session.ts
 *   runtime     src/platform/runtime.ts, src/platform/runtime-cache.ts, src/platform/bindings.ts: the Worker's runtime
 *   http        src/http/: everything that touches a Hono context
 *   entry       src/routes/, src/jobs/, src/oauth/, src/app.ts, src/rpc/session-service*.ts, src/worker.ts
 * src/sdk/worker/ and src/sdk/client/ are the published packages: they import only what they may ship.
 */
const LEAF =
  '^src/(contract|shapes|error-codes|encoding|utf8|ids|session-events|isolate-cache)[.]ts$'
const BASE = '^src/(config|errors)[.]ts$|^src/openapi/|^src/db/'
const AUTH = '^src/auth/'
const SERVICES = '^src/services/|^src/platform/openapi/schemas[.]ts$|^src/session/record[.]ts$'
const BASE_RUNTIME = '^src/platform/runtime-base[.]ts$'
const OBJECT = '^durable-objects/session[.]ts$'
const RUNTIME = '^src/(runtime|runtime-cache|bindings|runtime-base)[.]ts$'
const HTTP = '^src/http/'
const ENTRY = '^src/(routes|jobs|oauth)/|^src/(app|rpc|rpc-oauth|rpc-contract|index)[.]ts$'

const above = (...layers) => ({ path: layers.join('|') })

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import loops make the order of evaluation, and the layering, a matter of luck.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shapes-are-leaves',
      severity: 'error',
      comment:
        'Leaf modules (shared shapes, the error vocabulary, encodings) import only each other.',
      from: { path: LEAF },
      to: { path: '^(src|durable-objects)/', pathNot: LEAF },
    },
    {
      name: 'base-imports-no-higher-layer',
      severity: 'error',
      comment: 'Settings, errors and D1 queries sit under everything that uses them.',
      from: { path: BASE },
      to: above(AUTH, SERVICES, OBJECT, RUNTIME, HTTP, ENTRY),
    },
    {
      name: 'auth-is-primitives-only',
      severity: 'error',
      comment:
        'src/auth/ holds token and crypto primitives: no services, no Hono context, no runtime.',
      from: { path: AUTH },
      to: above(SERVICES, OBJECT, RUNTIME, HTTP, ENTRY),
    },
    {
      name: 'services-never-import-http',
      severity: 'error',
      comment:
        'Services are called by routes, RPC and the session object alike; they take plain shapes ' +
        '(src/platform/shared-types.ts), never a Hono context. The runtime they take is a type only.',
      from: { path: SERVICES },
      to: above(OBJECT, HTTP, ENTRY),
    },
    {
      name: 'services-take-the-runtime-as-a-type',
      severity: 'error',
      comment:
        'The runtime is handed to services as an argument; they never build or reach for it.',
      from: { path: SERVICES },
      to: { path: RUNTIME, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'base-runtime-is-below-the-object',
      severity: 'error',
      comment:
        'The session object builds its handles with src/platform/runtime-base.ts, so that imports no higher.',
      from: { path: BASE_RUNTIME },
      to: { path: [OBJECT, RUNTIME, HTTP, ENTRY].join('|'), pathNot: BASE_RUNTIME },
    },
    {
      name: 'object-imports-no-higher-layer',
      severity: 'error',
      comment:
        'The session object builds its own handles (src/platform/runtime-base.ts) and knows no HTTP.',
      from: { path: OBJECT },
      to: { path: [RUNTIME, HTTP, ENTRY].join('|'), pathNot: BASE_RUNTIME },
    },
    {
      name: 'runtime-imports-no-http',
      severity: 'error',
      from: { path: RUNTIME },
      to: above(HTTP, ENTRY),
    },
    {
      name: 'http-imports-no-routes',
      severity: 'error',
      from: { path: HTTP },
      to: above(ENTRY),
    },
    {
      name: 'session-object-class-is-private',
      severity: 'error',
      comment:
        'Only the entry, the runtime and the bindings type name the class; everything else uses ' +
        'the shapes in src/session/record.ts.',
      from: { path: '^(src|durable-objects)/', pathNot: '^src/(index|runtime|bindings)[.]ts$' },
      to: { path: '^durable-objects/session[.]ts$' },
    },
    {
      name: 'client-sdk-ships-alone',
      severity: 'error',
      comment:
        'The browser SDK (packages/client) is built from src/sdk/client/ and the shared contract.',
      from: { path: '^src/sdk/client/' },
      to: { path: '^src/', pathNot: '^src/sdk/client/|^src/(contract|error-codes)[.]ts$' },
    },
    {
      name: 'lib-ships-no-service-internals',
      severity: 'error',
      comment:
        'The Worker library (packages/lib) verifies tokens; it never reaches D1, services or the object.',
      from: { path: '^src/sdk/worker/' },
      to: {
        path: '^src/(db|services|routes|jobs)/|^durable-objects/|^src/(runtime|app|index)[.]ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|packages/[^/]+/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
}
