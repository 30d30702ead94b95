// Statistics shared by the bench modules, so that every figure called a median is computed the
// same way (run.mjs's PBKDF2 timing and scale.mjs's D1 lookups used to carry their own copies).

/** The median of `values` (the mean of the two middle values when their count is even). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
