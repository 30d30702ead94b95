/**
 * Recognises a D1 database the migrations have not been applied to: SQLite reports the table or
 * column a query needs as missing. Drizzle wraps the driver's error ("Failed query: …"), so the
 * whole cause chain is read.
 */
const MISSING_SCHEMA = /no such (table|column)/

/** SQLite's own message when `error`, or one it wraps, says a table or column does not exist. */
export function missingSchemaCause(error: unknown): string | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (MISSING_SCHEMA.test(e.message)) return e.message
  }
  return null
}
