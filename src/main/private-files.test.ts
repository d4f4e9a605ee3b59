import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDbt } from './dbt/dbt-runner'
import { dbtExecutable } from './paths'
import { Outbox } from './stream/outbox'
import { StreamSource } from './stream/stream-source'
import { makeTempDir } from './testing/fixtures'
import { withDuckDbFile } from './warehouse/duckdb-file'

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8)
}

describe.skipIf(process.platform === 'win32')("files and folders with people's data are owner-only whatever the umask", () => {
  const temp = makeTempDir('file-modes')
  let umask = 0
  beforeAll(() => {
    umask = process.umask(0o022)
  })
  afterAll(() => {
    process.umask(umask)
    temp.cleanup()
  })

  it('creates the warehouse file 0600 and its new folders 0700', async () => {
    const path = join(temp.dir, 'data', 'nested', 'warehouse.duckdb')
    await withDuckDbFile(path, { readOnly: false }, async ({ connection }) => {
      await connection.run('create table ga4.scratch as select 1 as n')
      expect(mode(path)).toBe('600')
    })
    expect(mode(path)).toBe('600')
    expect(mode(join(temp.dir, 'data'))).toBe('700')
    expect(mode(join(temp.dir, 'data', 'nested'))).toBe('700')
    expect(mode(temp.dir)).toBe('700')
    if (existsSync(`${path}.wal`)) expect(mode(`${path}.wal`)).toBe('600')
  })

  it('creates the outbox folders 0700 and its batch files 0600', () => {
    const outbox = new Outbox(join(temp.dir, 'warehouse.duckdb.outbox'))
    const events: unknown[] = new StreamSource({ seed: 1 }).next(3)
    const { batch } = outbox.enqueue([...events, { event_name: '' }])
    for (const folder of [outbox.dir, outbox.pendingDir, outbox.rejectedDir, outbox.quarantineDir]) expect(mode(folder), folder).toBe('700')
    expect(mode(batch?.path ?? '')).toBe('600')
    for (const name of readdirSync(outbox.rejectedDir)) expect(mode(join(outbox.rejectedDir, name))).toBe('600')
    // A batch set aside keeps its mode, and the note of why is private too.
    if (batch) outbox.quarantine(batch, 'line 1: not valid JSON')
    for (const name of readdirSync(outbox.quarantineDir)) expect(mode(join(outbox.quarantineDir, name)), name).toBe('600')
  })

  it.skipIf(!existsSync(dbtExecutable()))("creates dbt's target folder 0700", async () => {
    const targetPath = join(temp.dir, 'warehouse.duckdb.dbt')
    const result = await runDbt({
      command: 'parse',
      target: 'duckdb',
      env: { ATTRIBUTION_WAREHOUSE: join(temp.dir, 'never-opened.duckdb') },
      targetPath,
    })
    expect(result.success, result.errors.join('\n')).toBe(true)
    expect(mode(targetPath)).toBe('700')
  })
})
