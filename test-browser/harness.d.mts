/** Types of harness.mjs, for the TypeScript tests beside it. */

export interface Service {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string
  /** Where its local D1, Durable Objects and observability store live (PERSIST_TO). */
  stateDir: string
  /** Ends the whole process group (SIGTERM, then SIGKILL) and removes the service's state. */
  stop(): Promise<void>
}

export function createTempDir(prefix: string): Promise<string>
export function removeDir(path: string): Promise<void>
/** An absolute path in test/output/ (git-ignored). */
export function outputPath(name: string): Promise<string>
export function readProjectFile(relativePath: string): Promise<string>
/** Every file below `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): Promise<string[]>
export function writeTextFile(path: string, text: string): Promise<void>
/** `scripts/start.mjs` on a spare port with a fresh state directory; resolves once /healthz is 200. */
export function startService(options?: { extraArgs?: string[] }): Promise<Service>
/** A port nothing listens on right now. */
export function sparePort(): Promise<number>
/** The port the README's consumer commands name. */
export const README_CONSUMER_PORT: string
/** The README's consumer commands (Examples section), each as its words, on `port`. */
export function readmeConsumerCommands(port: number): Promise<string[][]>
/**
 * The README's consumer commands run as written in `repoDir` on `port` (the last, `wrangler dev`,
 * as the server); resolves once the consumer answers `readyPath` with 200.
 */
export function startReadmeConsumer(options: {
  repoDir: string
  port: number
  readyPath: string
}): Promise<Service>
/**
 * An account made as a person makes one over token transport: register from an anonymous session
 * (a new one unless `refreshToken` names it), then confirm with the token from the dev outbox.
 */
export function registerAccount(
  baseUrl: string,
  registration: { email: string; password: string; refreshToken?: string },
): Promise<{
  user: { id: string; email: string | null; isAnonymous: boolean }
  session: { id: string }
  merge: { from: string; into: string } | null
  tokens: { accessToken: string; refreshToken: string }
}>
