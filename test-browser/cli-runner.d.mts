/** Types of cli-runner.mjs. */

export interface CliResult {
  /** The exit code. */
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON, or null. */
  json: any
}

/** `node cli/edge-session.mjs ...args` from the project root, EDGE_SESSION_* unset unless given. */
export function runCli(
  args: string[],
  options?: { env?: Record<string, string> },
): Promise<CliResult>
