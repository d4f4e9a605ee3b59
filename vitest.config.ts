import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: { '@shared': resolve(import.meta.dirname, 'src/shared'), '@renderer': resolve(import.meta.dirname, 'src/renderer/src') },
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // dbt runs and DuckDB files are real: give them time, and run files one after another on 2 cores.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
