import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { runDbt } from './dbt-runner'

describe('dbt on a warehouse another process holds', () => {
  const temp = makeTempDir('dbt-lock')
  let holder: ChildProcess | undefined
  afterAll(() => {
    holder?.kill('SIGKILL')
    temp.cleanup()
  })

  it('says in one line which process has it, not with a Python traceback', async () => {
    const path = join(temp.dir, 'held.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    await warehouse.rawCounts()
    await warehouse.close()
    // Another process takes the file between this process's open and dbt's, as a second `build` can.
    const holdScript = `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => {
      const instance = await DuckDBInstance.create(process.argv[1]); const connection = await instance.connect(); console.log('holding')
      setInterval(() => [instance, connection], 1000)
    })`
    holder = spawn(process.execPath, ['-e', holdScript, path], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      holder?.stdout?.once('data', () => resolve())
      holder?.once('exit', () => reject(new Error('the holder exited')))
    })
    const result = await runDbt({ command: 'build', target: 'duckdb', env: { ATTRIBUTION_WAREHOUSE: path }, withoutUnitTests: true })
    const message =
      `The warehouse ${path} is in use by another process (PID ${holder.pid}). ` +
      'Close the app (or the other attribution command) or wait for its import or build to finish, then retry.'
    expect(result.success).toBe(false)
    expect(result.errors).toEqual([message])
    // The CLI's `build` prints exactly that line (runbook: "The warehouse is locked").
    expect(() => assertDbtSucceeded(result)).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
  })
})
