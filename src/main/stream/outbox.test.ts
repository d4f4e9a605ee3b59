import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { mountSmallDisk, smallDiskUnavailable } from '../testing/small-disk'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { eventIdOf } from '../warehouse/event-id'
import { Outbox } from './outbox'
import { StreamSource } from './stream-source'
import { OutboxSender, deliverToFile, outboxFor } from './outbox-sender'

const CLI = join(projectRoot(), 'bin', 'attribution.js')
const noSmallDisk = smallDiskUnavailable()
if (noSmallDisk) process.stderr.write(`Skipping the outbox's disk-full test: ${noSmallDisk}.\n`)

/** Each stored streamed event id with how many rows it has in events_intraday. */
async function storedIds(path: string): Promise<Map<string, number>> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      select list_filter(event_params, p -> p.key = 'event_id')[1].value.string_value, count(*)::integer
      from ga4.events_intraday group by all`)
    return new Map(reader.getRows().map((row) => [String(row[0]), Number(row[1])]))
  })
}

function pendingEvents(outbox: Outbox): number {
  return outbox.pending().reduce((sum, batch) => sum + batch.events, 0)
}

describe('the outbox on a disk that fills up', () => {
  const temp = makeTempDir('outbox')
  afterAll(temp.cleanup)

  it.skipIf(noSmallDisk)('refuses a batch that does not fit, keeps nothing partial, and loses or doubles nothing', async () => {
    const path = join(temp.dir, 'full.duckdb')
    // The outbox folder is its own small disk; the warehouse file is not on it.
    const disk = mountSmallDisk(`${path}.outbox`, 512 * 1024)
    try {
      const source = new StreamSource({ seed: 21 })
      const first = source.next(20)
      const cut = source.next(200)
      const after = source.next(30)
      const warehouse = new EmbeddedWarehouse(path)
      await warehouse.writeSession(async (file) => {
        const streamer = new OutboxSender(deliverToFile(file), outboxFor(path))
        await streamer.send(first)
        expect(Buffer.byteLength(cut.map((event) => JSON.stringify(event)).join('\n'))).toBeGreaterThan(64 * 1024)
        // Room for a few pages, not the batch: the write is cut short by the disk, not by the app.
        disk.fill(16 * 1024)
        await expect(streamer.send(cut)).rejects.toThrow(
          /could not be written to the outbox; none of its 200 events were queued: ENOSPC: no space left on device/,
        )
        expect(readdirSync(streamer.outbox.pendingDir)).toEqual([])
        // Still full: the next send is refused as well, and an empty one still delivers.
        await expect(streamer.send(after)).rejects.toThrow(/no space left on device/)
        await expect(streamer.recover()).resolves.toEqual([])
        disk.release()
        await streamer.send(cut)
        await streamer.send(after)
        expect(pendingEvents(streamer.outbox)).toBe(0)
      })
      await warehouse.close()
      const ids = await storedIds(path)
      const sent = [...first, ...cut, ...after].map((event) => eventIdOf(event))
      expect([...ids.keys()].sort()).toEqual([...sent].sort())
      expect([...ids.values()].every((rows) => rows === 1)).toBe(true)
    } finally {
      disk.unmount()
    }
  })

  it('moves a damaged pending batch to quarantine with a message, and later deliveries go on', async () => {
    const path = join(temp.dir, 'damaged.duckdb')
    const outbox = outboxFor(path)
    const source = new StreamSource({ seed: 22 })
    const good = source.next(10)
    const damagedEvents = source.next(10)
    // A batch cut off mid-line, as a full disk left one before writes were checked.
    const whole = `${damagedEvents.map((event) => JSON.stringify(event)).join('\n')}\n`
    writeFileSync(join(outbox.pendingDir, '000000000000001-cafebabe.ndjson'), whole.slice(0, Math.floor(whole.length / 2)))
    outbox.enqueue(good)
    expect(outbox.pending()).toHaveLength(2)

    const run = spawnSync(process.execPath, [CLI, 'stream', '--count', '0', '--warehouse', path], { encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/000000000000001-cafebabe\.ndjson is damaged \(line \d+: not valid JSON\).*moved to .*quarantine/)
    expect(pendingEvents(outboxFor(path))).toBe(0)
    expect(readdirSync(join(`${path}.outbox`, 'quarantine'))).toContain('000000000000001-cafebabe.ndjson')
    expect([...(await storedIds(path)).keys()].sort()).toEqual(good.map((event) => eventIdOf(event)).sort())

    // Later sends are delivered too; the quarantined file is kept as it was.
    const again = spawnSync(process.execPath, [CLI, 'stream', '--count', '5', '--seed', '3', '--warehouse', path], { encoding: 'utf8' })
    expect(again.status, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ queued: 5, added: 5 })
    expect(readFileSync(join(`${path}.outbox`, 'quarantine', '000000000000001-cafebabe.ndjson.reason.txt'), 'utf8')).toMatch(
      /not valid JSON/,
    )
    expect(readFileSync(join(`${path}.outbox`, 'quarantine', '000000000000001-cafebabe.ndjson'), 'utf8')).toBe(
      whole.slice(0, Math.floor(whole.length / 2)),
    )
  })

  it('removes *.ndjson.tmp leftovers of an interrupted write when it starts', () => {
    const dir = join(temp.dir, 'leftovers.outbox')
    const first = new Outbox(dir)
    const leftover = join(first.pendingDir, '000000000000002-deadbeef.ndjson.tmp')
    const rejectedLeftover = join(first.rejectedDir, '000000000000002-deadbeef.ndjson.tmp')
    writeFileSync(leftover, '{"event_name":')
    writeFileSync(rejectedLeftover, '{"reason":')
    const anHourAgo = new Date(Date.now() - 3_600_000)
    for (const file of [leftover, rejectedLeftover]) utimesSync(file, anHourAgo, anHourAgo)
    const second = new Outbox(dir)
    expect(existsSync(leftover)).toBe(false)
    expect(existsSync(rejectedLeftover)).toBe(false)
    expect(second.pending()).toEqual([])
  })
})
