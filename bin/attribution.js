#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so the CLI needs no build step.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

// The project's tsconfig names the '@shared/' alias, whatever folder the CLI is started from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
const { main } = await import('../src/main/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
