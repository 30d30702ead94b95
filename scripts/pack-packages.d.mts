/** Types of pack-packages.mjs, for the TypeScript tests that import it. */

/** Builds and packs every workspace into `dir` (emptied first); returns the tarballs' paths. */
export function packPackages(dir: string): Promise<string[]>
/** publint (warnings fail too) and attw (ESM-only). */
export function checkTarball(tarball: string): void
