#!/usr/bin/env node
// CI's OpenAPI lint: dumps the served document (scripts/dump-openapi.mjs) and runs `redocly lint`
// on it with the committed ruleset (redocly.yaml). Fails on any error.
import { spawnSync } from 'node:child_process'

const out = 'dist/openapi.json'
for (const [command, args] of [
  [process.execPath, ['scripts/dump-openapi.mjs', out]],
  ['npx', ['redocly', 'lint', out, '--config', 'redocly.yaml', '--format', 'summary']],
]) {
  const run = spawnSync(command, args, { stdio: 'inherit' })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
