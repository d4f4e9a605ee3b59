import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ReportRow } from '@shared/attribution'

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
/** Where global set-up keeps the e2e warehouses. */
export const E2E_DIR = join(ROOT, 'test-results', 'e2e-warehouses')
/** The real GA4 rows shared by the team, read in place. */
export const FIXTURE_PARQUET = resolve(ROOT, '..', 'shared', 'fixtures', 'ga4', 'ga4_fixture_20201219_20210119.parquet')
export const hasFixture = existsSync(FIXTURE_PARQUET)

/** The port of a spec's bridge: `E2E_PORT_BASE` (default 5180) plus an offset, so two checkouts can run the specs at once. */
export function e2ePort(offset: number): number {
  return Number(process.env.E2E_PORT_BASE ?? 5180) + offset
}

/** The warehouses the specs run against, each behind its own bridge. */
export const WAREHOUSES = {
  fixture: { path: join(E2E_DIR, 'fixture.duckdb'), port: e2ePort(1) },
  generated: { path: join(E2E_DIR, 'generated.duckdb'), port: e2ePort(2) },
  /** Sample data up to today, which the streaming spec adds live events to. */
  stream: { path: join(E2E_DIR, 'stream.duckdb'), port: e2ePort(3) },
  /** No data at all: the first-run experience. */
  empty: { path: join(E2E_DIR, 'empty', 'warehouse.duckdb'), port: e2ePort(4) },
} as const
export type WarehouseName = keyof typeof WAREHOUSES

/** Runs the real CLI and returns its stdout; a failure fails the caller with the CLI's own message. */
export function cli(args: string[]): string {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'attribution.js'), ...args], { encoding: 'utf8', cwd: ROOT })
  if (run.status !== 0) throw new Error(`attribution ${args.join(' ')} failed:\n${run.stderr}`)
  return run.stdout
}

/** One group of `attribution report --format json`. */
export type CliRow = ReportRow

/** `attribution report --format json` as an object. */
export function cliReport(
  warehouse: WarehouseName | { path: string },
  options: {
    model: string
    lookbackDays: number
    by?: string
    channel?: string
    from?: string
    to?: string
    conversionEvents?: string[]
    streamId?: string
  },
): { rows: CliRow[]; totals: { conversions: number; revenue_usd: string } } {
  const path = typeof warehouse === 'string' ? WAREHOUSES[warehouse].path : warehouse.path
  const args = [
    'report',
    '--warehouse',
    path,
    '--model',
    options.model,
    '--lookback-days',
    String(options.lookbackDays),
    '--format',
    'json',
  ]
  args.push('--by', options.by ?? 'channel')
  if (options.channel) args.push('--channel', options.channel)
  if (options.from) args.push('--from', options.from)
  if (options.to) args.push('--to', options.to)
  if (options.conversionEvents) args.push('--conversion-events', options.conversionEvents.join(','))
  if (options.streamId) args.push('--stream', options.streamId)
  return JSON.parse(cli(args)) as ReturnType<typeof cliReport>
}
