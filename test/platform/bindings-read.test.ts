/// <reference types="vite/client" />
/**
 * Issue #11: bindings are read in one place. The runtime (src/platform/runtime.ts, src/platform/runtime-base.ts)
 * turns the Worker's bindings into typed handles; everything else takes those handles. The
 * library (src/sdk/worker/) runs in other Workers with their own bindings, and the SDK in browsers, so
 * neither is counted; nor is config.ts, which parses the raw variables by the schema's keys.
 */
import { describe, expect, it } from 'vitest'

const sources = import.meta.glob(['/src/**/*.ts', '/durable-objects/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>

const READERS = [
  '/src/platform/runtime.ts',
  '/src/platform/runtime-base.ts',
  '/src/platform/config.ts',
]
const ELSEWHERE = ['/src/sdk/worker/', '/src/sdk/client/']

/** `env.SOME_BINDING` or `this.env.SOME_BINDING`: a binding or variable read by name. */
const BINDING_READ = /\benv\.([A-Z][A-Z0-9_]+)\b/g

describe('bindings', () => {
  it('are read by name only in the runtime', () => {
    const reads = Object.entries(sources)
      .filter(([path]) => !READERS.some((reader) => path.endsWith(reader)))
      .filter(([path]) => !ELSEWHERE.some((dir) => path.includes(dir)))
      .flatMap(([path, text]) =>
        [...text.replace(/^\s*(\*|\/\/).*$/gm, '').matchAll(BINDING_READ)].map(
          (m) => `${path}: env.${m[1]}`,
        ),
      )
    expect(reads, 'take the handle from the runtime instead').toEqual([])
  })

  it('the check sees a read where there is one', () => {
    expect([...'const db = env.DB'.matchAll(BINDING_READ)].map((m) => m[1])).toEqual(['DB'])
  })
})
