/** Types of serve-fetch.mjs, for the TypeScript tests beside it. */
export interface FetchServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  close(): Promise<void>
}

/** Serves `handler` on a spare loopback port. */
export function serveFetch(handler: (request: Request) => Promise<Response>): Promise<FetchServer>
