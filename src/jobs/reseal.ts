/**
 * The sweep's re-sealing step after a master key rotation: every value still sealed under a
 * previous key (or from before key ids) is opened with the key it names and sealed again under
 * `ENCRYPTION_KEY`, in bounded batches within the sweep's budget. Each batch is written as it is
 * done, and the next run picks up what is left, so an interrupted run loses nothing.
 */
import {
  listValuesNotUnder,
  replaceSealedValues,
  SEALED_COLUMNS,
  type SealedValueRow,
} from '../db/sealed-values'
import type { Runtime } from '../runtime'
import { openValue, sealValue, sealedKeyId } from '../auth/sealing'

export interface ResealOptions {
  batchSize: number
  overBudget: () => boolean
  add: (name: string, n: number) => void
}

/** Re-seals under the current key; false when the budget ran out with values left. */
export async function resealValues(
  rt: Pick<Runtime, 'db' | 'keyring' | 'masterKeys' | 'userKeys'>,
  { batchSize, overBudget, add }: ResealOptions,
): Promise<boolean> {
  for (const column of SEALED_COLUMNS) {
    let afterRowid = 0
    for (;;) {
      if (overBudget()) return false
      const rows = await listValuesNotUnder(
        rt.db,
        column,
        rt.keyring.current.id,
        afterRowid,
        batchSize,
      )
      const updates = []
      for (const row of rows) {
        const to = await resealed(rt, row)
        if (to) updates.push({ rowid: row.rowid, from: row.sealed, to })
        else add('resealFailed', 1)
      }
      add('resealed', await replaceSealedValues(rt.db, column, updates))
      if (rows.length < batchSize) break
      afterRowid = rows[rows.length - 1]!.rowid
    }
  }
  return true
}

async function resealed(
  rt: Pick<Runtime, 'masterKeys' | 'userKeys'>,
  row: SealedValueRow,
): Promise<string | null> {
  const keys = row.userId === null ? rt.masterKeys : rt.userKeys(row.userId)
  try {
    return await sealValue(keys, await openValue(keys, row.sealed))
  } catch {
    // Left as it is for the next run; the start-up check names a key that is missing.
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'sealed value did not open for re-sealing',
        keyId: sealedKeyId(row.sealed) ?? 'unlabelled',
      }),
    )
    return null
  }
}
