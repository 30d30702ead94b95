/**
 * The user-data slice's public face: documents, preferences, secrets and OAuth records, with the
 * write guard and the merge movers every kind registers. Other slices import it only through this file.
 */
export { mergeMovers } from './movers'
export { OAuthClientSchema, OAuthTokensSchema, ServerIdSchema } from './oauth-records/schemas'
export {
  clearOAuthRecord,
  isServerId,
  OAUTH_SCOPES,
  type OAuthRecordKey,
  PKCE_VERIFIER_PATTERN,
  readOAuthClient,
  readOAuthDiscovery,
  readOAuthTokens,
  readPendingAuthorization,
  saveOAuthClient,
  saveOAuthDiscovery,
  saveOAuthTokens,
  savePendingAuthorization,
  type StoredOAuthClient,
  type StoredOAuthTokens,
} from './oauth-records/service'
export const loadDocumentRoutes = () => import('./documents/routes').then((m) => m.documentRoutes)
export const loadOAuthRoutes = () => import('./oauth-records/routes').then((m) => m.oauthRoutes)
export const loadPreferenceRoutes = () =>
  import('./preferences/routes').then((m) => m.preferenceRoutes)
export const loadSecretRoutes = () => import('./secrets/routes').then((m) => m.secretRoutes)
export { MERGE_KINDS, type MergeContext, type MergeMover, type MergePlan } from './mover'
export { clearMergeStarted, markMergeStarted } from './write-guard'
export { userDataRetention } from './retention'
export { mergeFitsQuotas, quotasFilledFor } from './merge-quotas'
export { quotaSettingsOf, type QuotaSettings } from './quotas'
