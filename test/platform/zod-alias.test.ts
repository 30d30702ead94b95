/**
 * The Worker is bundled with scripts/zod-without-locales.mjs as its `zod`
 * (scripts/build-worker.mjs, `alias`); tests import zod's own entry. This keeps the two in step.
 */
import { describe, expect, it } from 'vitest'
import * as zod from '../../node_modules/zod/v4/classic/external.js'
import * as bundled from '../../scripts/zod-without-locales.mjs'

const LEFT_OUT = new Set(['locales', 'core'])
const exportNames = (module: object) =>
  Object.keys(module)
    .filter((name) => name !== 'z' && name !== 'default')
    .sort()

describe("the Worker's zod", () => {
  it("exports everything zod's entry does but the translations and the core namespace", () => {
    expect(exportNames(bundled)).toEqual(exportNames(zod).filter((name) => !LEFT_OUT.has(name)))
    expect(bundled.z.ZodType).toBe(zod.ZodType)
  })

  it('explains a failed parse in English, as zod does', () => {
    const schema = bundled.z.object({ name: bundled.z.string() })
    const result = schema.safeParse({ name: 1 })
    expect(result.error?.issues[0]?.message).toBe('Invalid input: expected string, received number')
  })
})
