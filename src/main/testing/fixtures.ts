import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { projectRoot } from '../paths'

/** The team's real GA4 export rows, read in place from ../shared (never copied into the repo). */
export const GA4_FIXTURE_DIR = resolve(process.env.ATTRIBUTION_FIXTURES ?? join(projectRoot(), '..', 'shared', 'fixtures', 'ga4'))

/** Paths of the shared fixture files. */
export const GA4_FIXTURES = {
  parquet: join(GA4_FIXTURE_DIR, 'ga4_fixture_20201219_20210119.parquet'),
  ndjsonGz: join(GA4_FIXTURE_DIR, 'ga4_fixture_20201219_20210119.ndjson.gz'),
  consoleJson: join(GA4_FIXTURE_DIR, 'bigquery_console_export_20201227.json'),
}

/** True when ../shared/fixtures/ga4 is there; tests that need it skip with a message otherwise. */
export const hasGa4Fixtures = Object.values(GA4_FIXTURES).every((path) => existsSync(path))

if (!hasGa4Fixtures) {
  process.stderr.write(`Skipping tests on real GA4 rows: ${GA4_FIXTURE_DIR} is absent (the team's ../shared/fixtures/ga4).\n`)
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
