/**
 * The admin slice's public face: the admin API's routes (kill switch, key rotation, sweep,
 * metrics, users). Other slices and the app import the admin slice only through this file.
 */
export const loadAdminRoutes = () => import('./routes').then((m) => m.adminRoutes)
export const loadAdminUserRoutes = () => import('./user-routes').then((m) => m.adminUserRoutes)
export const loadAdminPasskeyRoutes = () =>
  import('./passkey-routes').then((m) => m.adminPasskeyRoutes)
export const loadAdminIdentityRoutes = () =>
  import('./identity-routes').then((m) => m.adminIdentityRoutes)
export const loadAdminFactorRoutes = () =>
  import('./factor-routes').then((m) => m.adminFactorRoutes)
