/**
 * The site's public face: what the service serves beside its API (health, JWKS, /docs, the demo,
 * the local mailbox).
 */
export { demoRoutes } from './demo-routes'
export { devRoutes } from './dev-outbox-routes'
export { docsRoutes } from './docs-routes'
export { publicRoutes } from './public-routes'
export { serveApiDocument } from './api-document'
