/** The jobs' own retention rule: the sweep's record of its runs. */
import { lt } from 'drizzle-orm'
import { sweepRuns } from '../platform/db/schema'
import { DAY_MS, deleteRowsWhere } from '../platform/retention'

/** Runs are kept as long as audit events, so an operator can line the two up. */
const SWEEP_RUN_RETENTION_MS = 90 * DAY_MS

const oldSweepRuns = deleteRowsWhere('sweepRuns', sweepRuns, ({ now }) =>
  lt(sweepRuns.startedAt, now - SWEEP_RUN_RETENTION_MS),
)

export const jobsRetention = { oldSweepRuns }
