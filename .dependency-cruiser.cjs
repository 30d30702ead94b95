/**
 * The layout of src/ and durable-objects/ as rules: folders by domain ("slices"), layers inside
 * and between them, lowest first. `npm run lint:deps` (and .ci/run) fail on any import that runs
 * upward, reaches into another slice past its index.ts, or closes a loop. ARCHITECTURE.md draws
 * the same picture for people.
 *
 *   contract   src/contract/: the published shapes (types only) and the error vocabulary
 *   platform   src/platform/: settings, runtime, D1 client and schema, crypto, token formats,
 *              audit log, mail, rate limits, OpenAPI components
 *   http       src/http/: Hono middleware only (transport, origin check, router, request meta)
 *   slices     features:  src/session/ (imports no other slice), src/events/, src/user-data/,
 *                         src/identity/
 *              operators: src/admin/, src/rpc/, src/site/, src/jobs/
 *   object     durable-objects/: thin shells over src/session/ (lock, storage, alarm, RPC)
 *   entry      src/app.ts, src/worker.ts
 * src/sdk/ holds the published packages (the browser client and the library for other Workers):
 * they import only what they may ship.
 */
const CONTRACT = '^src/contract/'
const PLATFORM = '^src/platform/'
const HTTP = '^src/http/'
const SLICE_NAMES = ['session', 'events', 'user-data', 'identity', 'admin', 'rpc', 'site', 'jobs']
const SLICES = `^src/(${SLICE_NAMES.join('|')})/`
const FEATURES = '^src/(session|events|user-data|identity)/'
const OPERATORS = '^src/(admin|rpc|site|jobs)/'
const OBJECT = '^durable-objects/'
const ENTRY = '^src/(app|worker)[.]ts$'
const SDK = '^src/sdk/'

const any = (...paths) => paths.join('|')

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
      name: 'contract-is-a-leaf',
      severity: 'error',
      comment:
        'The published shapes and the error vocabulary import nothing of ours but each other.',
      from: { path: CONTRACT },
      to: { path: '^(src|durable-objects)/', pathNot: CONTRACT },
    },
    {
      name: 'platform-imports-no-higher-layer',
      severity: 'error',
      comment: 'Settings, runtime, D1, crypto and tokens sit under everything that uses them.',
      from: { path: PLATFORM },
      to: { path: any(HTTP, SLICES, OBJECT, ENTRY, SDK) },
    },
    {
      name: 'http-is-middleware-only',
      severity: 'error',
      comment:
        'src/http/ holds what touches a Hono context, with no domain logic: no slice, no object.',
      from: { path: HTTP },
      to: { path: any(SLICES, OBJECT, ENTRY, SDK) },
    },
    {
      name: 'a-slice-is-entered-through-its-index',
      severity: 'error',
      comment:
        "A slice imports another only through that slice's index.ts, its public face, or its " +
        'schemas.ts, the response shapes that only route modules need; so do the object and the ' +
        'entry. Internals can move without touching their callers.',
      from: { path: any(SLICES, OBJECT, ENTRY) },
      to: {
        path: `^src/(${SLICE_NAMES.join('|')})/.+`,
        pathNot: [`^src/(${SLICE_NAMES.join('|')})/(index|schemas)[.]ts$`, '^src/$1/'],
      },
    },
    {
      name: 'session-imports-no-other-slice',
      severity: 'error',
      comment: 'The session core stands alone: every other slice builds on it, never the reverse.',
      from: { path: '^src/session/' },
      to: { path: SLICES, pathNot: '^src/session/' },
    },
    {
      name: 'features-import-no-operator-slice',
      severity: 'error',
      comment:
        'Sessions, identity, user data and events never reach for the admin API, RPC, the site or the jobs.',
      from: { path: FEATURES },
      to: { path: OPERATORS },
    },
    {
      name: 'slices-import-no-object-or-entry',
      severity: 'error',
      comment:
        'Slices type the session object by its RPC surface (src/session/object/api.ts); only the ' +
        'entry names the class.',
      from: { path: any(CONTRACT, PLATFORM, HTTP, SLICES, SDK) },
      to: { path: any(OBJECT, ENTRY) },
    },
    {
      name: 'object-knows-no-http',
      severity: 'error',
      comment: 'The session object is reached over RPC; it never touches a Hono context.',
      from: { path: OBJECT },
      to: { path: any(HTTP, ENTRY) },
    },
    {
      name: 'client-sdk-ships-alone',
      severity: 'error',
      comment: 'The browser SDK (packages/client) is built from src/sdk/client/ and the contract.',
      from: { path: '^src/sdk/client/' },
      to: { path: '^src/', pathNot: any('^src/sdk/client/', CONTRACT) },
    },
    {
      name: 'worker-library-ships-no-service-internals',
      severity: 'error',
      comment:
        'The Worker library (packages/lib) verifies tokens; it never reaches D1, a slice or the object.',
      from: { path: '^src/sdk/worker/' },
      to: {
        path: '^(src|durable-objects)/',
        pathNot: any(
          '^src/sdk/worker/',
          CONTRACT,
          '^src/platform/errors[.]ts$',
          '^src/platform/tokens/access-token[.]ts$',
          '^src/http/transport[.]ts$',
        ),
      },
    },
    {
      name: 'nothing-imports-the-sdk',
      severity: 'error',
      comment: 'The packages are built from src/sdk/; the service itself never imports them.',
      from: { path: '^(src|durable-objects)/', pathNot: SDK },
      to: { path: SDK },
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
