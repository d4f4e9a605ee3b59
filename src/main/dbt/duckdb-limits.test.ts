import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dbtExecutable, dbtProjectDir } from '../paths'
import { dbtEnvironment, defaultDuckDbMemoryLimit, withDuckDbLimits } from './dbt-runner'

const GiB = 1024 ** 3

describe('the DuckDB memory limit and spill folder of dbt runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duckdb-limits-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('defaults to half the machine in whole GB, at least 1', () => {
    expect(defaultDuckDbMemoryLimit(24 * GiB)).toBe('12GB')
    expect(defaultDuckDbMemoryLimit(3 * GiB)).toBe('1GB')
    expect(defaultDuckDbMemoryLimit(1 * GiB)).toBe('1GB')
  })

  it('sets both for a warehouse file, keeps what the run names, and leaves other targets alone', () => {
    const env = withDuckDbLimits({ ATTRIBUTION_WAREHOUSE: '/data/w.duckdb' })
    expect(env.ATTRIBUTION_DUCKDB_TEMP_DIRECTORY).toBe('/data/w.duckdb.dbt/spill')
    expect(env.ATTRIBUTION_DUCKDB_MEMORY_LIMIT).toMatch(/^\d+GB$/)
    expect(withDuckDbLimits({ ATTRIBUTION_WAREHOUSE: '/w', ATTRIBUTION_DUCKDB_MEMORY_LIMIT: '3GB' }).ATTRIBUTION_DUCKDB_MEMORY_LIMIT).toBe(
      '3GB',
    )
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
    // DuckDB shows 1500 MB as 1.3 GiB.
    expect(shown.stdout).toContain('1.3 GiB')
    expect(shown.stdout).toContain(`${warehouse}.dbt/spill`)
  }, 120_000)
})
