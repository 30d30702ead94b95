/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest'
import { CLIENT_ERROR_CODES, ERROR_CODES } from '../../src/contract/error-codes'

// The sources as text, bundled by Vite at transform time (the Workers runtime has no file system).
const sources = import.meta.glob(['/src/**/*.ts', '/durable-objects/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>

/** `CODE.x` (or `CLIENT_CODE.x`): the one way src/ writes an error code. */
const REFERENCED = /\bCODE\.([a-z_]+)/g
const VOCABULARY = 'error-codes.ts'

function referencedCodes(): Map<string, string> {
  const found = new Map<string, string>()
  for (const [file, text] of Object.entries(sources))
    for (const [, code] of text.matchAll(REFERENCED)) found.set(code!, file)
  return found
}

/** Every place outside the vocabulary module that writes a code as a string literal. */
function codeLiterals(): string[] {
  const codes = [...Object.keys(ERROR_CODES), ...Object.keys(CLIENT_ERROR_CODES)]
  // Single quotes: the strings of the code (prettier's style). Backticked names in comments and
  // documentation are prose, and "invalid_token" in a WWW-Authenticate header is RFC 6750's.
  const literal = new RegExp(`'(${codes.join('|')})'`, 'g')
  const found: string[] = []
  for (const [file, text] of Object.entries(sources)) {
    if (file.endsWith(VOCABULARY)) continue
    for (const [match] of text.matchAll(literal)) found.push(`${file}: ${match}`)
  }
  return found
}

describe('the error vocabulary', () => {
  it('names every code that src/ throws or answers with', () => {
    const found = referencedCodes()
    expect(found.size).toBeGreaterThan(15)
    const missing = [...found].filter(
      ([code]) => !(code in ERROR_CODES) && !(code in CLIENT_ERROR_CODES),
    )
    expect(missing, 'add these to src/contract/error-codes.ts').toEqual([])
  })

  it('is the only place a code is written as a string', () => {
    expect(codeLiterals(), 'write CODE.x from src/contract/error-codes.ts instead').toEqual([])
  })

  it('gives every code one sentence of meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/)
      expect(meaning).toMatch(/^[A-Z].+\.$/)
    }
  })
})
