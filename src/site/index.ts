/**
 * The site's public face: what the service serves beside its API (health, JWKS, /docs, the demo,
 * the local mailbox).
 */
export const loadDemoRoutes = () => import('./demo-routes').then((m) => m.demoRoutes)
export const loadDevRoutes = () => import('./dev-outbox-routes').then((m) => m.devRoutes)
export { docsRoutes } from './docs-routes'
export const loadPublicRoutes = () => import('./public-routes').then((m) => m.publicRoutes)
export { serveApiDocument } from './api-document'
