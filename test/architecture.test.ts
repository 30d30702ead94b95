/// <reference types="vite/client" />
/**
 * The layout's sizes, which dependency-cruiser cannot see: a folder's listing stays readable as a
 * feature list, and the session object stays a thin shell over src/session/ (ARCHITECTURE.md).
 */
import { describe, expect, it } from 'vitest'

const sources = import.meta.glob(['/src/**/*.ts', '/durable-objects/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>

const MAX_FILES_PER_FOLDER = 15
const MAX_LOOSE_FILES_IN_SRC = 8
const MAX_OBJECT_LINES = 300

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'))

describe('the layout', () => {
  it(`keeps at most ${MAX_FILES_PER_FOLDER} source files directly in any folder`, () => {
    const counts = new Map<string, number>()
    for (const path of Object.keys(sources))
      counts.set(folderOf(path), (counts.get(folderOf(path)) ?? 0) + 1)
    const crowded = [...counts].filter(([, n]) => n > MAX_FILES_PER_FOLDER)
    expect(counts.size).toBeGreaterThan(10)
    expect(crowded).toEqual([])
  })

  it(`keeps at most ${MAX_LOOSE_FILES_IN_SRC} loose files in src/`, () => {
    const loose = Object.keys(sources).filter((path) => folderOf(path) === '/src')
    expect(loose).toContain('/src/worker.ts')
    expect(loose.length).toBeLessThanOrEqual(MAX_LOOSE_FILES_IN_SRC)
  })

  it(`keeps the session object at most ${MAX_OBJECT_LINES} lines`, () => {
    const object = sources['/durable-objects/session.ts']
    expect(object).toBeDefined()
    expect(object!.trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_OBJECT_LINES)
  })

  it('enters every slice through an index.ts', () => {
    const slices = ['session', 'identity', 'user-data', 'events', 'admin', 'rpc', 'site', 'jobs']
    for (const slice of slices) expect(Object.keys(sources)).toContain(`/src/${slice}/index.ts`)
  })
})
