/**
 * The exact back-off behind password sign-in: how many failures one budget (an email for every
 * client that has not signed in to it before, or one device that has) gets for free, how long each
 * further one waits, and how fast old failures are forgotten.
 */

/** Failures allowed before the back-off starts. */
export const LOGIN_FREE_FAILURES = 5
/** Each quiet stretch this long forgets one failure, so an owner's old typos do not add up. */
export const LOGIN_FAILURE_DECAY_MS = 15 * 60 * 1000
/** The longest back-off, in seconds. */
export const LOGIN_MAX_BACKOFF_SECONDS = 15 * 60

/**
 * The wait after `failures` failures: none before the fifth, then 1 s, doubling with each further
 * one, capped at 15 minutes.
 */
export function loginBackoffSeconds(failures: number): number {
  if (failures < LOGIN_FREE_FAILURES) return 0
  return Math.min(2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_BACKOFF_SECONDS)
}

/**
 * Every distinct wait up to the cap, as `[failures, seconds]`: what the SQL that counts an attempt
 * and sets its lock in one statement is built from, so the rule is written only here.
 */
export function loginBackoffSteps(): Array<[failures: number, seconds: number]> {
  const steps: Array<[number, number]> = []
  for (let failures = 1; ; failures++) {
    const seconds = loginBackoffSeconds(failures)
    steps.push([failures, seconds])
    if (seconds >= LOGIN_MAX_BACKOFF_SECONDS) return steps
  }
}
