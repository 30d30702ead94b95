/**
 * The jobs' public face: the sweep, which runs every slice's retention rules (also on demand from
 * the admin API).
 */
export { runSweep } from './sweep'
export { jobsRetention } from './retention'
