/**
 * Preferences: one JSON object per user, changed with JSON merge patches (RFC 7396). A few known
 * keys are type-checked; every other key is kept as sent, so a newer client's settings survive an
 * older server. The stored object stays within 16 KiB.
 */
import { z } from '@hono/zod-openapi'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../platform/db/client'
import {
  addPreferenceKeysQuery,
  deletePreferencesQuery,
  findPreferences,
  patchPreferences,
  type PreferencesData,
} from './queries'
import { AppError } from '../../platform/errors'
import { utf8ByteLength } from '../../platform/utf8'
import type { MergeMover } from '../mover'
import { refusal } from '../write-refusal'
import { CODE } from '../../contract/error-codes'

/** The most the stored object may take, serialized as JSON. */
export const PREFERENCES_MAX_BYTES = 16 * 1024

/** Deeper nesting is refused: no settings need it, and recursion over it costs stack. */
export const PREFERENCES_MAX_DEPTH = 32

// Roughly BCP 47: a 2-3 letter language, then subtags such as a script, region or variant.
const LOCALE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/
// IANA zone names ("UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5").
const TIMEZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/

/** A merge patch: known keys are checked (null deletes any key), the rest pass through. */
export const PreferencesPatchSchema = z
  .object({
    theme: z
      .enum(['light', 'dark', 'system'], { message: 'must be "light", "dark" or "system"' })
      .nullable()
      .optional(),
    locale: z
      .string()
      .max(35, 'must be at most 35 characters')
      .regex(LOCALE_PATTERN, 'must be a BCP 47 language tag such as "en" or "pt-BR"')
      .nullable()
      .optional(),
    timezone: z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(TIMEZONE_PATTERN, 'must be an IANA time zone such as "Europe/Paris"')
      .nullable()
      .optional(),
  })
  .catchall(z.unknown())
  .superRefine((patch, ctx) => {
    const problem = shapeProblem(patch, PREFERENCES_MAX_DEPTH)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  .openapi('PreferencesPatch', {
    description: 'A JSON merge patch (RFC 7396): null deletes a key, objects merge recursively.',
  })

export type PreferencesPatch = z.infer<typeof PreferencesPatchSchema>

/** The stored object as the API returns it. */
export const PreferencesSchema = z
  .record(z.string(), z.unknown())
  .openapi('Preferences', { description: 'The stored preferences; {} when none were set.' })

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Why a patch cannot be stored as sent, or null: too deep, or a key SQLite would mangle. */
function shapeProblem(value: unknown, levels: number): string | null {
  if (typeof value !== 'object' || value === null) return null
  if (levels === 0)
    return `must not nest objects or arrays more than ${PREFERENCES_MAX_DEPTH} levels deep`
  for (const [key, child] of Object.entries(value)) {
    // SQLite's json_patch compares keys only up to a NUL, so "\u0000a" would overwrite "\u0000b".
    if (key.includes('\u0000')) return 'keys must not contain the character U+0000'
    const problem = shapeProblem(child, levels - 1)
    if (problem) return problem
  }
  return null
}

/**
 * RFC 7396 §2 MergePatch: null deletes, objects merge recursively, anything else replaces.
 * @example applyMergePatch({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 } }) // { b: { c: 2, d: 3 } }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  // A Map, not property assignment: a "__proto__" key must stay data, never become a prototype.
  const result = new Map(Object.entries(isObject(target) ? target : {}))
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key)
    else result.set(key, applyMergePatch(result.get(key), value))
  }
  return Object.fromEntries(result)
}

const serializedBytes = (value: unknown) => utf8ByteLength(JSON.stringify(value))

const tooLarge = () =>
  new AppError(
    413,
    CODE.payload_too_large,
    `Preferences may take at most ${PREFERENCES_MAX_BYTES} bytes as JSON; this patch would exceed that.`,
  )

/** The user's preferences, `{}` when none were set. */
export async function readPreferences(db: Db, userId: string): Promise<PreferencesData> {
  return (await findPreferences(db, userId)) ?? {}
}

/** Applies a validated merge patch atomically and returns the stored result. */
export async function updatePreferences(
  db: Db,
  userId: string,
  patch: PreferencesPatch,
  now = Date.now(),
): Promise<PreferencesData> {
  // The patch applied to {} is contained in the patch applied to any object, so if it is already
  // too large every result is: no need to ask D1.
  const initial = applyMergePatch({}, patch) as PreferencesData
  if (serializedBytes(initial) > PREFERENCES_MAX_BYTES) throw tooLarge()
  const stored = await patchPreferences(db, userId, {
    patch: JSON.stringify(patch),
    initial,
    maxBytes: PREFERENCES_MAX_BYTES,
    now,
  })
  if (stored) return stored
  throw await refusal(db, userId, now, tooLarge)
}

export interface PreferenceKeysSplit {
  moving: PreferencesData
  /** Keys the account has, and keys that would push the account past the size limit. */
  left: string[]
}

/** Which anonymous keys join the account: those it lacks, while the object stays within limits. */
export function splitPreferenceKeys(
  anonymous: PreferencesData,
  account: PreferencesData,
): PreferenceKeysSplit {
  const moving: PreferencesData = {}
  const left: string[] = []
  let bytes = serializedBytes(account)
  for (const [key, value] of Object.entries(anonymous)) {
    // `"key":value` plus a comma unless the object is still `{}`.
    const cost = serializedBytes(key) + 1 + serializedBytes(value) + (bytes > 2 ? 1 : 0)
    if (Object.hasOwn(account, key) || bytes + cost > PREFERENCES_MAX_BYTES) {
      left.push(key)
      continue
    }
    Object.defineProperty(moving, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
    bytes += cost
  }
  return { moving, left }
}

/** Anonymous keys the account lacks move into its object; the account's own keys win. */
export const preferencesMover: MergeMover = {
  kind: 'preferences',
  async plan({ db, from, into }) {
    const [anonymous, account] = await Promise.all([
      findPreferences(db, from),
      findPreferences(db, into),
    ])
    if (!anonymous) return { statements: [], moved: 0, conflicts: [] }
    const { moving, left } = splitPreferenceKeys(anonymous, account ?? {})
    const moved = Object.keys(moving).length
    const statements: BatchItem<'sqlite'>[] = [deletePreferencesQuery(db, from)]
    if (moved) statements.unshift(addPreferenceKeysQuery(db, into, moving, Date.now()))
    return { statements, moved, conflicts: left }
  },
}
