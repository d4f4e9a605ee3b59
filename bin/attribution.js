#!/usr/bin/env node
// Runs the compiled CLI (out/cli, made by `npm install` and `npm run build`), so start-up parses
// JavaScript only. Without it, or when a source it was built from changed since, runs the TypeScript
// sources through tsx instead: the same CLI, slower to start.
import { readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** True when out/cli exists and none of the sources it was built from changed since. */
function isCompiledCurrent() {
  try {
    const { builtAtMs, inputs } = JSON.parse(readFileSync(`${root}out/cli/inputs.json`, 'utf8'))
    return inputs.every((path) => statSync(`${root}${path}`).mtimeMs < builtAtMs)
  } catch {
    return false
  }
}

let main
if (process.env.ATTRIBUTION_CLI_FROM_SOURCE !== '1' && isCompiledCurrent()) {
  ;({ main } = await import('../out/cli/main.js'))
} else {
  if (process.stderr.isTTY) process.stderr.write('attribution: running from the TypeScript sources (`npm run build:cli` compiles them)\n')
  const { register } = await import('tsx/esm/api')
  // The project's tsconfig names the '@shared/' alias, whatever folder the CLI is started from.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
  ;({ main } = await import('../src/main/cli/main.ts'))
}
process.exitCode = await main(process.argv.slice(2))
