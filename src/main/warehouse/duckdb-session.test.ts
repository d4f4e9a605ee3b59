import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../testing/fixtures'
import { DuckDbSession } from './duckdb-session'

async function countRows(connection: DuckDBConnection): Promise<number> {
  return Number((await connection.runAndReadAll('select count(*) from t')).getRows()[0]![0])
}

describe('DuckDbSession.hold: several reads on one opening of the file', () => {
  const temp = makeTempDir('duckdb-session')
  afterAll(temp.cleanup)

  async function sessionWithTable(name: string): Promise<DuckDbSession> {
    const session = new DuckDbSession(join(temp.dir, `${name}.duckdb`))
    await session.write(async (file) => {
      await file.connection.run('create table t as select 1 as v')
    })
    return session
  }

  it('gives the reads of a hold one connection, lets the file go after it, and reads alone each open it again', async () => {
    const session = await sessionWithTable('held')
    const [first, second] = await session.hold(async () => {
      const connections = [await session.read(async (c) => c), await session.read(async (c) => c)]
      expect(session.isBusy).toBe(true)
      return connections
    })
    expect(second).toBe(first)
    expect(session.isBusy).toBe(false)
    const third = await session.read(async (c) => c)
    const fourth = await session.read(async (c) => c)
    expect(fourth).not.toBe(third)
    await session.close()
  })

  it('lets a write inside a hold take the file, and the next read of the hold sees what it wrote', async () => {
    const session = await sessionWithTable('written')
    const counts = await session.hold(async () => {
      const before = await session.read(countRows)
      await session.write(async (file) => {
        await file.connection.run('insert into t values (2)')
      })
      return [before, await session.read(countRows)]
    })
    expect(counts).toEqual([1, 2])
    expect(session.isBusy).toBe(false)
    await session.close()
  })
})
