import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { StreamSource } from './stream-source'
import { OutboxSender, deliverToFile, outboxFor } from './outbox-sender'
import { validateStreamEvent } from './validate-event'

const CLI = join(projectRoot(), 'bin', 'attribution.js')

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
}

/** Rows and distinct event ids in events_intraday. */
async function intradayCounts(path: string): Promise<{ rows: number; ids: number }> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      select count(*)::integer as rows,
        count(distinct list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value)::integer as ids
      from ga4.events_intraday`)
    const row = reader.getRowObjectsJson()[0] ?? {}
    return { rows: Number(row.rows), ids: Number(row.ids) }
  })
}

describe('streaming exactly once', () => {
  const temp = makeTempDir('stream')
  afterAll(temp.cleanup)

  it('adds 20 events, not 40, when `stream --seed S --count 20` runs twice', async () => {
    const path = join(temp.dir, 'replay.duckdb')
    const first = cli(['stream', '--seed', '42', '--count', '20', '--warehouse', path])
    expect(first.status, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ queued: 20, added: 20, duplicates: 0 })
    const second = cli(['stream', '--seed', '42', '--count', '20', '--warehouse', path])
    expect(second.status, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ queued: 20, added: 0, duplicates: 20 })
    expect(await intradayCounts(path)).toEqual({ rows: 20, ids: 20 })
  })

  it('keeps a batch whose delivery failed pending, and the retry adds each event once', async () => {
    const path = join(temp.dir, 'retry.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    const outbox = outboxFor(path)
    const source = new StreamSource({ seed: 7 })
    const events = source.next(15)
    let isFailing = true
    await warehouse.writeSession(async (file) => {
      const streamer = new OutboxSender(deliverToFile(file), outbox, {
        beforeCommit: () => {
          if (isFailing) throw new Error('injected failure inside the transaction')
        },
      })
      await expect(streamer.send(events)).rejects.toThrow(/injected/)
      expect(outbox.pending()).toHaveLength(1)
      isFailing = false
      const [delivery] = await streamer.recover()
      expect(delivery?.addedEventIds).toHaveLength(15)
      expect(outbox.pending()).toHaveLength(0)
    })
    await warehouse.close()
    expect(await intradayCounts(path)).toEqual({ rows: 15, ids: 15 })
  })

  it('adds nothing when a committed batch is delivered again (a crash before it left the outbox)', async () => {
    const path = join(temp.dir, 'redeliver.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    const outbox = outboxFor(path)
    const kept = join(temp.dir, 'kept.ndjson')
    await warehouse.writeSession(async (file) => {
      const streamer = new OutboxSender(deliverToFile(file), outbox, {
        beforeCommit: (batch) => copyFileSync(batch.path, kept),
      })
      await streamer.send(new StreamSource({ seed: 8 }).next(12))
      copyFileSync(kept, join(outbox.pendingDir, 'replayed.ndjson'))
      const [again] = await streamer.recover()
      expect(again).toMatchObject({ addedEventIds: [], duplicateEventIds: expect.arrayContaining([expect.any(String)]) })
      expect(again?.duplicateEventIds).toHaveLength(12)
    })
    await warehouse.close()
    expect(await intradayCounts(path)).toEqual({ rows: 12, ids: 12 })
  })

  it('rejects malformed events with a reason, keeps them aside, and stores the rest', async () => {
    const path = join(temp.dir, 'malformed.duckdb')
    const warehouse = new EmbeddedWarehouse(path)
    const outbox = outboxFor(path)
    const [good] = new StreamSource({ seed: 9 }).next(1)
    const withoutId = { ...good, event_params: [] }
    const badTime = { ...good, event_timestamp: 'now' }
    await warehouse.writeSession(async (file) => {
      const result = await new OutboxSender(deliverToFile(file), outbox).send([good, withoutId, badTime, 'not an event'])
      expect(result.queued).toBe(1)
      expect(result.rejected.map((entry) => entry.reason)).toEqual([
        'event_id param is missing: streamed events need one to be counted once',
        'event_timestamp must be a positive whole number of microseconds',
        'not an object',
      ])
    })
    await warehouse.close()
    expect(outbox.rejected()).toHaveLength(3)
    expect(await intradayCounts(path)).toEqual({ rows: 1, ids: 1 })
    expect(validateStreamEvent(good)).toBeUndefined()
  })

  it('loses and doubles nothing when the streamer is killed with SIGKILL mid-run', async () => {
    const path = join(temp.dir, 'killed.duckdb')
    const total = 6_000
    const args = ['stream', '--seed', '77', '--count', String(total), '--batch-size', '500', '--warehouse', path]
    const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let queuedLines = 0
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        queuedLines += (chunk.toString().match(/^queued /gm) ?? []).length
        if (queuedLines >= 3 && !child.killed) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => resolve())
    })
    await new Promise((resolve) => child.once('exit', resolve).once('close', resolve))
    expect(child.signalCode).toBe('SIGKILL')

    // Whatever was queued before the kill is either stored or still pending: deliver the pending part.
    const pending = outboxFor(path)
      .pending()
      .reduce((sum, batch) => sum + batch.events, 0)
    const stored = existsSync(path) ? (await intradayCounts(path)).rows : 0
    const recovery = cli(['stream', '--count', '0', '--warehouse', path])
    expect(recovery.status, recovery.stderr).toBe(0)
    expect(await intradayCounts(path)).toEqual({ rows: stored + pending, ids: stored + pending })
    expect(stored + pending).toBeGreaterThanOrEqual(1_000)

    // Running the same stream again completes it, and every event is there exactly once.
    const rerun = cli(args)
    expect(rerun.status, rerun.stderr).toBe(0)
    expect(await intradayCounts(path)).toEqual({ rows: total, ids: total })
  })
})
