#!/usr/bin/env node
// Compiles the CLI (src/main/cli/main.ts and what it imports) to out/cli/*.js, so `attribution` starts
// without transpiling TypeScript (run by `npm install` and `npm run build`; alone: `npm run build:cli`).
// One chunk per command module, loaded when that command runs; node_modules stay external.
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { cliBundleOptions } from './cli-bundle.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'out', 'cli')
// Chunk names carry a hash: clear the folder so no stale chunk stays beside the new ones.
rmSync(outdir, { recursive: true, force: true })
const startedAt = Date.now()
const result = await build({
  ...cliBundleOptions(root),
  entryPoints: { main: 'src/main/cli/main.ts' },
  outdir,
  splitting: true,
  sourcemap: 'linked',
  metafile: true,
})
// bin/attribution.js runs the sources instead when any of these is newer than the build.
const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.split('/').includes('node_modules'))
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtAtMs: startedAt, inputs }, null, 1)}\n`)
process.stderr.write(`CLI compiled to ${relative(root, outdir)}/ (${inputs.length} sources) in ${Date.now() - startedAt} ms\n`)
