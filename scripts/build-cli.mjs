#!/usr/bin/env node
// Compiles the CLI (src/main/cli/main.ts and what it imports) to out/cli/*.js, so `attribution` starts
// without transpiling TypeScript (run by `npm install` and `npm run build`; alone: `npm run build:cli`).
// One chunk per command module, loaded when that command runs; node_modules stay external.
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * Leaves every package to load from node_modules at run time (the native DuckDB binding, BigQuery's
 * large client) except `bundled`: DuckDB's JavaScript API is 124 CommonJS files, and reading them one
 * by one was ~40% of `report`'s start-up.
 */
function externalPackagesBut(bundled) {
  return {
    name: 'external-packages',
    setup(build) {
      // DuckDB's API requires its binding package from many files: all get src/main/cli/duckdb-binding.ts.
      build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: join(root, 'src', 'main', 'cli', 'duckdb-binding.ts') }))
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@shared/') || args.path === bundled || args.path.startsWith(`${bundled}/`)) return undefined
        return { path: args.path, external: true }
      })
    },
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'out', 'cli')
// Chunk names carry a hash: clear the folder so no stale chunk stays beside the new ones.
rmSync(outdir, { recursive: true, force: true })
const startedAt = Date.now()
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  plugins: [externalPackagesBut('@duckdb/node-api')],
  // A bundled CommonJS package (node-api) requires its native binding: give the ES module output a require.
  banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);" },
  alias: { '@shared': './src/shared' },
  tsconfig: 'tsconfig.json',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
})
// bin/attribution.js runs the sources instead when any of these is newer than the build.
const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.split('/').includes('node_modules'))
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtAtMs: startedAt, inputs }, null, 1)}\n`)
process.stderr.write(`CLI compiled to ${relative(root, outdir)}/ (${inputs.length} sources) in ${Date.now() - startedAt} ms\n`)
