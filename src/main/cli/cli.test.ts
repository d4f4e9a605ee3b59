import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'

const CLI = join(projectRoot(), 'bin', 'attribution.js')

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('the CLI', () => {
  const temp = makeTempDir('cli')
  let holder: ChildProcess | undefined
  afterAll(() => {
    holder?.kill('SIGKILL')
    temp.cleanup()
  })

  it('gives the same answers compiled (out/cli) as from the TypeScript sources', () => {
    const build = spawnSync(process.execPath, [join(projectRoot(), 'scripts', 'build-cli.mjs')], { encoding: 'utf8' })
    expect(build.status, build.stderr).toBe(0)
    const inputs = (JSON.parse(readFileSync(join(projectRoot(), 'out', 'cli', 'inputs.json'), 'utf8')) as { inputs: string[] }).inputs
    expect(inputs).toEqual(expect.arrayContaining(['src/main/cli/main.ts', 'src/shared/attribution.ts']))
    const warehouse = join(temp.dir, 'compiled.duckdb')
    for (const args of [['--help'], ['models'], ['report', '--model', 'nope', '--warehouse', warehouse], ['frobnicate']]) {
      const compiled = cli(args)
      expect(compiled, args.join(' ')).toEqual(cli(args, { ATTRIBUTION_CLI_FROM_SOURCE: '1' }))
      expect(compiled.stdout + compiled.stderr, args.join(' ')).not.toBe('')
    }
  })

  it('refuses impossible dates naming the flag, and a reversed range in one line', () => {
    const warehouse = join(temp.dir, 'dates.duckdb')
    const cases: Array<[string[], string]> = [
      [['generate', '--end-date', '2026-02-31'], '--end-date must be a real calendar date, got "2026-02-31": that day does not exist.\n'],
      [['generate', '--end-date', '2026-13-01'], '--end-date must be a real calendar date, got "2026-13-01": that day does not exist.\n'],
      [
        ['report', '--model', 'first_click', '--from', '2026-02-31'],
        '--from must be a real calendar date, got "2026-02-31": that day does not exist.\n',
      ],
      [
        ['report', '--model', 'first_click', '--to', '2026-13-01'],
        '--to must be a real calendar date, got "2026-13-01": that day does not exist.\n',
      ],
      [
        ['report', '--model', 'first_click', '--from', '2026-03-10', '--to', '2026-03-01'],
        '--from (2026-03-10) is after --to (2026-03-01): the range is reversed.\n',
      ],
    ]
    for (const [args, message] of cases) {
      const run = cli([...args, '--warehouse', warehouse])
      expect(run.stderr, args.join(' ')).toBe(message)
      expect(run.status).toBe(1)
    }
  })

  it('refuses the removed build --lookback-days, naming what replaced it, before touching the warehouse', () => {
    const warehouse = join(temp.dir, 'no-build-lookback.duckdb')
    const run = cli(['build', '--lookback-days', '30', '--warehouse', warehouse])
    expect(run.stderr).toBe(
      '--lookback-days was removed from build: every lookback 1..90 is built at once; choose one per report with `report --lookback-days N`.\n',
    )
    expect(run.status).toBe(1)
    expect(existsSync(warehouse)).toBe(false)
    expect(cli(['--help']).stdout).not.toMatch(/build \[--lookback-days/)
  })

  it('says in one line that the warehouse is in use when another process holds it, and exits 1', async () => {
    const warehouse = join(temp.dir, 'busy.duckdb')
    const holdScript = `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => {
      const instance = await DuckDBInstance.create(process.argv[1]); const connection = await instance.connect(); console.log('holding')
      // Kept referenced: a collected instance lets go of the file, and the CLI now waits a moment for the lock.
      setInterval(() => [instance, connection], 1000)
    })`
    holder = spawn(process.execPath, ['-e', holdScript, warehouse], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      holder?.stdout?.once('data', () => resolve())
      holder?.once('exit', () => reject(new Error('the holder exited')))
    })
    for (const command of [
      ['status'],
      ['build'],
      ['import', join(temp.dir, 'missing.ndjson')],
      ['report', '--model', 'last_click'],
      ['stream', '--count', '5'],
    ]) {
      const run = cli([...command, '--warehouse', warehouse])
      expect(run.status, command[0]).toBe(1)
      expect(run.stderr, command[0]).toBe(
        `The warehouse ${warehouse} is in use by another process (PID ${holder.pid}). Close the app (or the other attribution command) or wait for its import or build to finish, then retry.\n`,
      )
    }
  })
})
