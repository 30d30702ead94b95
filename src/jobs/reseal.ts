/**
 * The sweep's re-sealing step: every value still sealed under a previous key (after a master key
 * rotation), from before key ids, or not yet bound to its slot, is opened with the key it names
 * and sealed again under `ENCRYPTION_KEY`, bound to its slot, in bounded batches within the
 * sweep's budget. Each batch is written as it is
 * done, and the next run picks up what is left, so an interrupted run loses nothing.
 */
import {
  listValuesNotIn,
  replaceSealedValues,
  SEALED_COLUMNS,
  type SealedColumn,
  type SealedValueRow,
} from '../platform/crypto/sealed-values'
import type { Runtime } from '../platform/runtime'
import {
  currentFormPrefix,
  openValue,
  sealValue,
  sealedKeyId,
  type SealedSlot,
} from '../platform/crypto/sealing'

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
      const rows = await listValuesNotIn(
        rt.db,
        column,
        currentFormPrefix(rt.keyring.current.id),
        afterRowid,
        batchSize,
      )
      const updates = []
      for (const row of rows) {
        const to = await resealed(rt, row, slotOf(column, row))
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

/** The slot a stored value belongs to. */
export const slotOf = (column: SealedColumn, row: SealedValueRow): SealedSlot => ({
  kind: column.kind,
  owner: row.userId ?? '',
  name: row.name,
})

async function resealed(
  rt: Pick<Runtime, 'masterKeys' | 'userKeys'>,
  row: SealedValueRow,
  slot: SealedSlot,
): Promise<string | null> {
  const keys = row.userId === null ? rt.masterKeys : rt.userKeys(row.userId)
  try {
    return await sealValue(keys, await openValue(keys, row.sealed, slot), slot)
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
