/** Types of pack-packages.mjs, for the TypeScript tests that import it. */

/** Builds and packs every workspace into `dir` (emptied first); returns the tarballs' paths. */
export function packPackages(dir: string): Promise<string[]>
/** Throws unless the tarball holds its README and the repository's LICENSE. */
export function checkTarballFiles(tarball: string): void
/** Its files, publint (warnings fail too) and attw (ESM-only). */
export function checkTarball(tarball: string): void
/** The React entry's budget, minified and gzipped. */
export const REACT_ENTRY_BUDGET_BYTES: number
/** The built React entry's size minified (esbuild) and gzipped (level 9), in bytes. */
export function reactEntrySize(): Promise<{ minified: number; gzip: number }>
