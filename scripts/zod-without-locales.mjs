// The Worker's `zod` (scripts/build-worker.mjs, `alias`): zod's own entry (node_modules/zod/v4/classic/
// external.js) without the `locales` and `core` namespaces. @hono/zod-openapi hands the `z`
// namespace to extendZodWithOpenApi as a value, so no bundler can drop what it holds, and zod's
// forty-odd translations of its error messages were a third of the bundle. Every message the
// service sends is the default English one (registered by ZodType itself, not by this entry).
// Type checks and tests still use zod's own entry; test/platform/zod-alias.test.ts keeps this
// file in step with zod's exports.
import * as z from './zod-without-locales.mjs'

export * from '../node_modules/zod/v4/classic/schemas.js'
export * from '../node_modules/zod/v4/classic/checks.js'
export * from '../node_modules/zod/v4/classic/errors.js'
export * from '../node_modules/zod/v4/classic/parse.js'
export * from '../node_modules/zod/v4/classic/compat.js'
export {
  globalRegistry,
  registry,
  config,
  memoizer,
  $output,
  $input,
  $brand,
  clone,
  regexes,
  treeifyError,
  prettifyError,
  formatError,
  flattenError,
  TimePrecision,
  util,
  NEVER,
  INVALID,
  toZod,
  compile,
  withParser,
  ZodCompileAsyncError,
  ZodCompileUnsupportedError,
  getDiscriminatedOption,
} from '../node_modules/zod/v4/core/index.js'
export { toJSONSchema } from '../node_modules/zod/v4/core/json-schema-processors.js'
export { fromJSONSchema } from '../node_modules/zod/v4/classic/from-json-schema.js'
export { deepPartial } from '../node_modules/zod/v4/classic/deep-partial.js'
export { input, output } from '../node_modules/zod/v4/classic/in-out.js'
export {
  ZodISODateTime,
  ZodISODate,
  ZodISOTime,
  ZodISODuration,
} from '../node_modules/zod/v4/classic/iso.js'
export * as iso from '../node_modules/zod/v4/classic/iso.js'
export * as coerce from '../node_modules/zod/v4/classic/coerce.js'
export { z, z as default }
