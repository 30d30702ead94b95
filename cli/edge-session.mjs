#!/usr/bin/env node
// `npx edge-session <command>`: the admin CLI. Every command is one call (or, for sweep, a loop
// of calls) to the admin API; answers are printed as JSON on stdout, progress and errors on
// stderr, and a failed call exits 1 with the API's code and message.
import { readFile } from 'node:fs/promises'
import { Command } from 'commander'
import { AdminApiError, createAdminClient } from './admin-client.mjs'
import { resolveTarget } from './settings.mjs'

const program = new Command()
  .name('edge-session')
  .description('Administer an edge-session service (the local one by default).')
  .option(
    '--url <url>',
    'the service (env EDGE_SESSION_URL; default http://127.0.0.1:$PORT, or :8787 without PORT)',
  )
  .option('--token <token>', 'the ADMIN_TOKEN (env EDGE_SESSION_ADMIN_TOKEN; default .dev.vars)')
  .showHelpAfterError()

/** The command's action with a client for the chosen service, printing what it returns. */
const withClient =
  (action) =>
  async (...args) => {
    const client = createAdminClient(await resolveTarget(program.opts()))
    const result = await action(client, ...args)
    if (result !== undefined) console.log(JSON.stringify(result, null, 2))
  }

const needsYes = (what) => (options) => {
  if (!options.yes) throw new Error(`${what} cannot be undone: add --yes to go ahead.`)
}

const keys = program.command('keys').description('signing keys')
keys
  .command('list')
  .description('unretired keys: when each was created, starts signing, and which signs now')
  .action(withClient((client) => client.listKeys()))
keys
  .command('rotate')
  .description('add a signing key; prints when it starts signing')
  .action(withClient((client) => client.rotateKey()))

program
  .command('kill-switch')
  .description('end every existing session (access tokens die within 30 s)')
  .option('--yes', 'confirm')
  .action(
    withClient((client, options) => {
      needsYes('The kill switch')(options)
      return client.killSwitch()
    }),
  )

program
  .command('sweep')
  .description('run the sweep until the backlog is done, one progress line per run')
  .option('--max-runs <n>', 'stop after this many runs', (v) => Number.parseInt(v, 10), 100)
  .action(
    withClient(async (client, options) => {
      const total = {}
      for (let run = 1; run <= options.maxRuns; run++) {
        const { counts, durationMs, complete } = await client.sweep()
        for (const [name, n] of Object.entries(counts)) total[name] = (total[name] ?? 0) + n
        const deleted = Object.values(counts).reduce((sum, n) => sum + n, 0)
        console.error(
          `sweep run ${run}: ${deleted} rows in ${Math.round(durationMs)} ms, ${complete ? 'backlog done' : 'more to do'}`,
        )
        if (complete) return { runs: run, complete: true, counts: total }
      }
      return { runs: options.maxRuns, complete: false, counts: total }
    }),
  )

const users = program.command('users').description('users: list, search, show')
users
  .command('list')
  .description('users, newest first, a page at a time')
  .option('--query <text>', 'part of an email, or an id')
  .option('--cursor <cursor>', 'the nextCursor of the previous page')
  .option('--limit <n>', 'page size (1 to 100)', (v) => Number.parseInt(v, 10))
  .action(withClient((client, options) => client.listUsers(options)))
users
  .command('search <query>')
  .description('users whose email contains <query>, or whose id is <query>')
  .action(withClient((client, query) => client.listUsers({ query })))
users
  .command('show <id>')
  .description('one user with their live sessions')
  .action(withClient((client, id) => client.showUser(id)))

const identities = program
  .command('identities')
  .description("an account's identities at sign-in providers (Google, GitHub, OpenID issuers)")
identities
  .command('list <id>')
  .description("the account's identities, newest first")
  .action(withClient((client, id) => client.listIdentities(id)))
identities
  .command('remove <id> <identityId>')
  .description('unlink an identity, even the last way in (a support case)')
  .option('--yes', 'confirm')
  .action(
    withClient(async (client, id, identityId, options) => {
      needsYes('Removing an identity')(options)
      await client.removeIdentity(id, identityId)
      return { removed: identityId }
    }),
  )

program
  .command('set-role <id> <role>')
  .description(
    "set an account's role (user or admin); its sessions end so no token keeps the old role",
  )
  .action(withClient((client, id, role) => client.setRole(id, role)))

program
  .command('revoke-sessions <id>')
  .description('end every live session of a user')
  .action(withClient((client, id) => client.revokeSessions(id)))

program
  .command('erase <id>')
  .description('erase a user: every row and every session')
  .option('--yes', 'confirm')
  .action(
    withClient(async (client, id, options) => {
      needsYes('Erasing a user')(options)
      await client.eraseUser(id)
      return { erased: id }
    }),
  )

const passkeys = program.command('passkeys').description("an account's passkeys (support)")
passkeys
  .command('list <id>')
  .description("an account's passkeys, newest first")
  .action(withClient((client, id) => client.listPasskeys(id)))
passkeys
  .command('remove <id> <passkeyId>')
  .description('remove one passkey, even the last (a lost device; the owner proved who they are)')
  .option('--yes', 'confirm')
  .action(
    withClient(async (client, id, passkeyId, options) => {
      needsYes('Removing a passkey')(options)
      await client.removePasskey(id, passkeyId)
      return { removed: passkeyId }
    }),
  )

const factors = program.command('factors').description("an account's second factor (support)")
factors
  .command('list <id>')
  .description("an account's authenticator app (never its secret) and recovery codes left")
  .action(withClient((client, id) => client.listFactors(id)))
factors
  .command('remove <id>')
  .description("remove the account's authenticator app and recovery codes (a lost phone)")
  .option('--yes', 'confirm')
  .action(
    withClient(async (client, id, options) => {
      needsYes('Removing a second factor')(options)
      await client.removeFactors(id)
      return { removed: id }
    }),
  )

program
  .command('import <file>')
  .description("import a single-user install's OAuth records (JSON: {importId, oauth: [...]})")
  .action(
    withClient(async (client, file) => {
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
      return client.importInstall(JSON.parse(text))
    }),
  )

program
  .command('metrics')
  .description(
    'users by kind, live sessions, auth failures in 24 h, last sweep, sealed values by key ' +
      '(rate-limit hits are in Analytics Engine: README, Counting without D1)',
  )
  .action(withClient((client) => client.metrics()))

async function readStdin() {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text
}

try {
  await program.parseAsync()
} catch (error) {
  const prefix = error instanceof AdminApiError ? `${error.code} (${error.status}): ` : ''
  console.error(`edge-session: ${prefix}${error.message}`)
  process.exitCode = 1
}
