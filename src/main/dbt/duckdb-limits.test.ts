import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dbtExecutable, dbtProjectDir } from '../paths'
import { dbtEnvironment, defaultDuckDbMemoryLimit, duckDbMemoryLimitFor, memorySizeBytes, withDuckDbLimits } from './dbt-runner'

const GiB = 1024 ** 3

describe('the DuckDB memory limit and spill folder of dbt runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duckdb-limits-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('defaults to half the machine in whole GB, at least 1', () => {
    expect(defaultDuckDbMemoryLimit(24 * GiB)).toBe('12GB')
    expect(defaultDuckDbMemoryLimit(3 * GiB)).toBe('1GB')
    expect(defaultDuckDbMemoryLimit(1 * GiB)).toBe('1GB')
  })

  it("gives DuckDB three quarters of the build's limit, in DuckDB's units", () => {
    expect(memorySizeBytes('4GB')).toBe(4e9)
    expect(memorySizeBytes('1500mb')).toBe(1.5e9)
    expect(memorySizeBytes('16GiB')).toBe(16 * GiB)
    expect(memorySizeBytes('2.5 GB')).toBe(2.5e9)
    expect(memorySizeBytes('lots')).toBeUndefined()
    expect(memorySizeBytes('4XB')).toBeUndefined()
    expect(duckDbMemoryLimitFor('4GB')).toBe('3000MB')
    expect(duckDbMemoryLimitFor('16GiB')).toBe('12884MB')
    expect(duckDbMemoryLimitFor('1KB')).toBe('1MB')
    // Not a size: DuckDB refuses it with its own message.
    expect(duckDbMemoryLimitFor('lots')).toBe('lots')
  })

  it('sets both for a warehouse file, keeps what the run names, and leaves other targets alone', () => {
    const env = withDuckDbLimits({ ATTRIBUTION_WAREHOUSE: '/data/w.duckdb' })
    expect(env.ATTRIBUTION_DUCKDB_TEMP_DIRECTORY).toBe('/data/w.duckdb.dbt/spill')
    expect(env.ATTRIBUTION_DUCKDB_MEMORY_LIMIT).toMatch(/^\d+GB$/)
    expect(env.ATTRIBUTION_DUCKDB_ENGINE_MEMORY_LIMIT).toBe(duckDbMemoryLimitFor(env.ATTRIBUTION_DUCKDB_MEMORY_LIMIT ?? ''))
    const named = withDuckDbLimits({ ATTRIBUTION_WAREHOUSE: '/w', ATTRIBUTION_DUCKDB_MEMORY_LIMIT: '3GB' })
    expect(named.ATTRIBUTION_DUCKDB_MEMORY_LIMIT).toBe('3GB')
    expect(named.ATTRIBUTION_DUCKDB_ENGINE_MEMORY_LIMIT).toBe('2250MB')
    expect(withDuckDbLimits({ ATTRIBUTION_BQ_PROJECT: 'p' })).toEqual({ ATTRIBUTION_BQ_PROJECT: 'p' })
  })

  it("reaches dbt's DuckDB session through the profile", () => {
    const warehouse = join(dir, 'w.duckdb')
    const env = dbtEnvironment({ env: { ATTRIBUTION_WAREHOUSE: warehouse, ATTRIBUTION_DUCKDB_MEMORY_LIMIT: '1500MB' } })
    const projectDir = dbtProjectDir()
    const shown = spawnSync(
      dbtExecutable(),
      [
        'show',
        '--inline',
        "select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory",
        '--output',
        'json',
        '--log-format',
        'text',
        '--project-dir',
        projectDir,
        '--profiles-dir',
        projectDir,
        '--target-path',
        join(dir, 'target'),
        '--log-path',
        join(dir, 'logs'),
      ],
      { env, encoding: 'utf8' },
    )
    expect(shown.status, shown.stderr + shown.stdout).toBe(0)
    // Three quarters of 1500 MB: DuckDB shows 1125 MB as 1.0 GiB.
    expect(shown.stdout).toContain('1.0 GiB')
    expect(shown.stdout).toContain(`${warehouse}.dbt/spill`)
  }, 120_000)
})
