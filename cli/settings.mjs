// Where the admin CLI sends its requests and with which token: --url/--token, else the
// EDGE_SESSION_URL / EDGE_SESSION_ADMIN_TOKEN environment, else the local development service
// (http://127.0.0.1:$PORT, 8787 without PORT, as `npm start` serves it, and ADMIN_TOKEN from
// ./.dev.vars, which `npm start` writes).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The local service as `npm start` serves it: PORT, as there, picks the port. */
export function defaultUrl(env = process.env) {
  return `http://127.0.0.1:${env.PORT || '8787'}`
}

/** KEY=value lines (comments and blanks skipped), as wrangler reads .dev.vars. */
export function parseDevVars(text) {
  const vars = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (match && !line.trimStart().startsWith('#'))
      vars[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return vars
}

/** `{url, token}`; throws a sentence naming every place it looked when there is no token. */
export async function resolveTarget(options = {}, env = process.env, cwd = process.cwd()) {
  const url = (options.url ?? env.EDGE_SESSION_URL ?? defaultUrl(env)).replace(/\/+$/, '')
  let token = options.token ?? env.EDGE_SESSION_ADMIN_TOKEN
  if (!token) {
    const text = await readFile(join(cwd, '.dev.vars'), 'utf8').catch(() => '')
    token = parseDevVars(text).ADMIN_TOKEN
  }
  if (!token)
    throw new Error(
      'No admin token: pass --token, set EDGE_SESSION_ADMIN_TOKEN, or run where .dev.vars has ADMIN_TOKEN (npm start writes it).',
    )
  return { url, token }
}
