/**
 * Retention rules: what each slice says must go, for the tables it owns, and the one way they go.
 * A slice exports its rules from its `retention.ts`; the sweep (src/jobs/sweep.ts) runs them in
 * order within its time budget. Keeping the rule beside the table means a new table's expiry is
 * written where the table is, and the sweep's loop never changes for it.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Runtime } from './runtime'

export const DAY_MS = 86_400_000

/** Whether the run's budget is spent, keeping `reserveMs` back for the next step. */
export type OverBudget = (reserveMs?: number) => boolean

/** What a rule is given by the sweep run it is part of. */
export interface RetentionRun<Name extends string = string> {
  readonly rt: Runtime
  /** The run's clock: every rule of a run judges age against the same instant. */
  readonly now: number
  /** Rows per delete statement. */
  readonly batchSize: number
  readonly overBudget: OverBudget
  /** Adds `n` to the run's count under `name`. */
  readonly count: (name: Name, n: number) => void
  /** When the previous run started (null before the first): for rules that look only at what is new. */
  readonly previousRunStartedAt: () => Promise<number | null>
}

/** One thing the sweep removes (or, for a few, finishes), and the counts it reports. */
export interface RetentionRule<Name extends string = string> {
  /** The keys it counts under in the run's record (`sweep_runs.counts`, the admin API's answer). */
  readonly counts: readonly [Name, ...Name[]]
  /** Does its part of a run; false when the budget ran out with work left for the next run. */
  readonly apply: (run: RetentionRun<Name>) => Promise<boolean>
}

/**
 * Runs `batch` until it reports nothing left (it resolves `true` while more may remain). A batch
 * that would end past the budget, judged by the slowest so far, is not started: a run ends within
 * its budget instead of overrunning it by its last batch. False when the budget ran out first.
 */
export async function repeatWithinBudget(
  overBudget: OverBudget,
  batch: () => Promise<boolean>,
): Promise<boolean> {
  let slowest = 0
  for (;;) {
    if (overBudget(slowest)) return false
    const began = performance.now()
    const more = await batch()
    slowest = Math.max(slowest, performance.now() - began)
    if (!more) return true
  }
}

/**
 * A rule deleting the rows of `table` that match `where`, `batchSize` rows a statement by rowid.
 * A statement binds the condition's few values and the limit: far under D1's 100 parameters,
 * however many rows match.
 */
export function deleteRowsWhere<Name extends string>(
  name: Name,
  table: SQLiteTable,
  where: (run: RetentionRun<Name>) => SQL | undefined | Promise<SQL | undefined>,
): RetentionRule<Name> {
  return {
    counts: [name],
    async apply(run) {
      const condition = await where(run)
      return repeatWithinBudget(run.overBudget, async () => {
        const result = await run.rt.db.run(
          sql`delete from ${table} where rowid in (select rowid from ${table} where ${condition} limit ${run.batchSize})`,
        )
        const deleted = result.meta.changes ?? 0
        run.count(name, deleted)
        return deleted >= run.batchSize
      })
    },
  }
}
