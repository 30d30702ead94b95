import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import * as schema from '../../../src/platform/db/schema'

// The SQL in migrations/ is what ships; drizzle's schema is what the code queries through.
// Compare what the applied migrations actually created with what drizzle believes.
const tables: SQLiteTable[] = Object.values(schema).flatMap((value) =>
  is(value, SQLiteTable) ? [value] : [],
)

interface PragmaColumn {
  name: string
  type: string
  notnull: number
  pk: number
}

describe('drizzle schema and migrations agree', () => {
  it('knows every table the migrations create', async () => {
    const rows = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'd1_%' and name not like '_cf_%' order by name",
    ).all<{ name: string }>()
    expect(rows.results.map((r) => r.name).sort()).toEqual(
      tables.map((t) => getTableConfig(t).name).sort(),
    )
  })

  for (const table of tables) {
    const config = getTableConfig(table)
    it(`has the same columns in ${config.name}`, async () => {
      const { results } = await env.DB.prepare(
        `pragma table_info(${config.name})`,
      ).all<PragmaColumn>()
      const applied = results
        .map((c) => ({
          name: c.name,
          type: c.type.toLowerCase(),
          notNull: c.notnull === 1 || c.pk > 0,
          primary: c.pk > 0,
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
      const compositeKey = new Set(
        config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
      )
      const declared = config.columns
        .map((c) => ({
          name: c.name,
          type: c.getSQLType().toLowerCase(),
          notNull: c.notNull || compositeKey.has(c.name),
          primary: c.primary || compositeKey.has(c.name),
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
      expect(applied).toEqual(declared)
    })

    it(`has the same indexes on ${config.name}`, async () => {
      const { results } = await env.DB.prepare(`pragma index_list(${config.name})`).all<{
        name: string
        origin: string
      }>()
      const applied = results
        .filter((i) => i.origin === 'c')
        .map((i) => i.name)
        .sort()
      const uniqueColumns = config.columns.filter((c) => c.isUnique).map((c) => c.uniqueName!)
      const declared = [...config.indexes.map((i) => i.config.name), ...uniqueColumns].sort()
      expect(applied).toEqual(declared)
    })
  }
})
