/**
 * The admin slice's public face: the admin API's routes (kill switch, key rotation, sweep,
 * metrics, users). Other slices and the app import the admin slice only through this file.
 */
export { adminRoutes } from './routes'
export { adminUserRoutes } from './user-routes'
export { adminPasskeyRoutes } from './passkey-routes'
export { adminIdentityRoutes } from './identity-routes'
