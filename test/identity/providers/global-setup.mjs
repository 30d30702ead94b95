/** vitest globalSetup (Node): the loopback OpenID Provider the Worker's generic OIDC settings name. */
import { startLoopbackIssuer } from './loopback-issuer.mjs'

export default async function setup() {
  const port = Number(process.env.TEST_OIDC_PORT)
  if (!port) throw new Error('vitest.config.ts sets TEST_OIDC_PORT before globalSetup runs')
  const issuer = await startLoopbackIssuer(port, process.env.TEST_OIDC_CALLBACK_ORIGIN)
  return () => issuer.close()
}
