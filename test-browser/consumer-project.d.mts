/** Types of consumer-project.mjs, for the TypeScript test beside it. */

export interface ConsumerProject {
  dir: string
  /** Type-checks `files` strictly plus `compilerOptions`; '' when clean, else tsc's report. */
  typecheck(name: string, compilerOptions: object, files: string[]): Promise<string>
  writeFile(name: string, text: string): Promise<void>
  readJson(path: string): Promise<any>
  readText(path: string): Promise<string>
  /** Runs a script of the project on this Node; resolves with its stdout. */
  runNode(script: string, env?: Record<string, string>): Promise<string>
  /**
   * A copy of the repository as a fresh clone has it, in `repo/`, whose examples/consumer takes
   * the library from the installed tarball (`vars` replacing the example's); returns its path.
   */
  writeRepositoryCopy(vars: Record<string, string>): Promise<string>
  remove(): Promise<void>
}

/** The packed workspaces' tarballs (absolute paths). */
export interface Tarballs {
  client: string
  lib: string
  react: string
}

/** Packs the workspaces and installs the client and library tarballs into a fresh temp project. */
export function createConsumerProject(): Promise<ConsumerProject & { tarballs: Tarballs }>
/** A fresh temp project with the client and React tarballs, react, react-dom and @types/react. */
export function createReactProject(tarballs: Tarballs): Promise<ConsumerProject>
