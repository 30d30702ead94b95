/** The RPC entrypoint other Workers bind to (`SessionService`), and its OAuth-record calls. */
export { SessionService } from './session-service'
