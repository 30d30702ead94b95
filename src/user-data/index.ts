/**
 * The user-data slice's public face: documents, preferences, secrets and OAuth records, with the
 * write guard and the merge movers every kind registers. Other slices import it only through this file.
 */
export { mergeMovers } from './movers'
export { OAuthClientSchema, OAuthTokensSchema, ServerIdSchema } from './oauth-records/routes'
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
export { documentRoutes } from './documents/routes'
export { oauthRoutes } from './oauth-records/routes'
export { preferenceRoutes } from './preferences/routes'
export { secretRoutes } from './secrets/routes'
export { MERGE_KINDS, type MergeContext, type MergeMover, type MergePlan } from './mover'
export { clearMergeStarted, markMergeStarted } from './write-guard'
export { userDataRetention } from './retention'
export { mergeFitsQuotas, quotasFilledFor } from './merge-quotas'
export { quotaSettingsOf, type QuotaSettings } from './quotas'
