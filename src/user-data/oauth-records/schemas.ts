/**
 * The OAuth records' stored shapes, apart from the routes: RPC (src/rpc/oauth.ts) and the admin
 * import validate with them too, and they need not evaluate every route to do so.
 */
import { z } from '@hono/zod-openapi'
import { isServerId } from './service'

/** A server id, checked as every OAuth route checks it (the admin import too). */
export const ServerIdSchema = z
  .string()
  .refine(isServerId, 'must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"')

// The SDK's shapes (its `OAuthTokensSchema`, `OAuthClientInformationSchema`): the fields it relies
// on are checked, every other field is kept as sent, so a newer SDK's additions survive a round trip.
export const OAuthTokensSchema = z
  .looseObject({
    access_token: z.string(),
    token_type: z.string(),
    id_token: z.string().optional(),
    expires_in: z.number().optional(),
    scope: z.string().optional(),
    refresh_token: z.string().optional(),
    issuer: z.string().optional(),
  })
  .openapi('OAuthTokens')

export const OAuthClientSchema = z
  .looseObject({
    client_id: z.string(),
    client_secret: z.string().optional(),
    client_id_issued_at: z.number().optional(),
    client_secret_expires_at: z.number().optional(),
    issuer: z.string().optional(),
  })
  .openapi('OAuthClientInformation')
