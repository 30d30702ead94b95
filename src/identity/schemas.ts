/**
 * The identity slice's response shapes, its second public face beside index.ts: route modules
 * (the admin slice's too) import them from here. Kept out of index.ts because every entry point
 * imports the index (the session object signs in through it), and building these zod schemas,
 * with the OpenAPI response schemas they reach, was start-up CPU in every isolate, while only the
 * route modules, loaded when the app is built, use them.
 */
export { FactorsSchema } from './factors/schemas'
export { PasskeySchema } from './passkeys/schemas'
export { IdentitySchema } from './providers/schemas'
