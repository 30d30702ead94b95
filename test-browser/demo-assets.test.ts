/**
 * src/demo/assets.ts is generated (npm run build:demo) and committed, because the Worker cannot
 * bundle at run time: this fails when it no longer matches src/client/ and src/demo/app.js.
 */
import { describe, expect, it } from 'vitest'
import { bundleClient, renderAssets } from '../src/demo/build-assets.mjs'
import { readProjectFile } from './harness.mjs'

describe('the demo assets', () => {
  it('are what `npm run build:demo` writes from the current sources', async () => {
    const committed = await readProjectFile('src/demo/assets.ts')
    const fresh = await renderAssets()
    expect(committed === fresh, 'src/demo/assets.ts is stale: run `npm run build:demo`').toBe(true)
  })

  it('bundle the SDK from src/client/ alone: no server code, no zod, no hono', async () => {
    const { code, inputs } = await bundleClient()
    expect(inputs.filter((path) => !path.startsWith('src/client/'))).toEqual([])
    expect(code).not.toMatch(/\bfrom\s+['"]/)
    expect(code.length).toBeLessThan(30_000)
  })
})
