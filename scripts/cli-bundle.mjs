// How the compiled CLI is bundled (scripts/build-cli.mjs), shared with the benchmark's `report` floor
// (bench/report-floor.ts), so the floor loads DuckDB exactly as the CLI does.
import { join } from 'node:path'

/**
 * Leaves every package to load from node_modules at run time (the native DuckDB binding, BigQuery's
 * large client) except `bundled`: DuckDB's JavaScript API is 124 CommonJS files, and reading them one
 * by one was ~40% of `report`'s start-up.
 */
export function externalPackagesBut(bundled, root) {
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

/** esbuild options every CLI-like bundle shares: ES modules for Node 22, DuckDB's API bundled. */
export function cliBundleOptions(root) {
  return {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    plugins: [externalPackagesBut('@duckdb/node-api', root)],
    // A bundled CommonJS package (node-api) requires its native binding: give the ES module output a require.
    banner: {
      js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);",
    },
    alias: { '@shared': './src/shared' },
    tsconfig: 'tsconfig.json',
    logLevel: 'warning',
  }
}
