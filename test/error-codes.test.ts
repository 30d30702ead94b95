/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../src/error-codes'

// The sources as text, bundled by Vite at transform time (the Workers runtime has no file system).
const sources = import.meta.glob(['../src/**/*.ts', '../durable-objects/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>

/** `AppError(400, 'x'`, `unauthorized('x'`, `errorBody('x'`, or the same with a named constant. */
const THROWN = /(?:AppError\(\s*\d{3},|unauthorized\(|errorBody\()\s*('[a-z_]+'|[A-Z_]+)\s*,/g
const CONSTANT = /const ([A-Z_]+) = '([a-z_]+)'/g

function thrownCodes(): Map<string, string> {
  const constants = new Map<string, string>()
  for (const text of Object.values(sources))
    for (const [, name, value] of text.matchAll(CONSTANT)) constants.set(name!, value!)
  const found = new Map<string, string>()
  for (const [file, text] of Object.entries(sources)) {
    for (const [, token] of text.matchAll(THROWN)) {
      const code = token!.startsWith("'") ? token!.slice(1, -1) : constants.get(token!)
      found.set(code ?? `unresolved constant ${token}`, file)
    }
  }
  return found
}

describe('the error vocabulary', () => {
  it('names every code that src/ throws or answers with', () => {
    const found = thrownCodes()
    expect(found.size).toBeGreaterThan(15)
    const missing = [...found].filter(([code]) => !(code in ERROR_CODES))
    expect(missing, 'add these to src/error-codes.ts').toEqual([])
  })

  it('gives every code one sentence of meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/)
      expect(meaning).toMatch(/^[A-Z].+\.$/)
    }
  })
})
