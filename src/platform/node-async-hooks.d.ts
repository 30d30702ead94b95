/**
 * The one Node API the Worker uses (nodejs_compat): the request-scoped audit log's store
 * (platform/audit/audit-log.ts). Declared here because the project has no Node type definitions.
 */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R
    getStore(): T | undefined
  }
}
