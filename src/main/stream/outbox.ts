import { randomBytes } from 'node:crypto'
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { ensurePrivateDir } from '../private-files'
import { validateStreamEvent } from './validate-event'

/** A batch waiting in the outbox. */
export interface PendingBatch {
  batchId: string
  path: string
  events: number
}

/** What enqueueing a batch did. */
export interface EnqueueResult {
  batch: PendingBatch | undefined
  /** Events refused with their reasons; kept in the outbox's rejected folder, never dropped. */
  rejected: Array<{ reason: string; event: unknown }>
}

/**
 * The streamer's durable outbox: a batch is written (and fsynced) here before the warehouse sees
 * it, and removed only after the warehouse committed it, so a crash at any point loses nothing.
 */
export class Outbox {
  readonly pendingDir: string
  readonly rejectedDir: string
  /** Events per pending batch, so the status poll does not re-read every batch file of a backlog each second. */
  private readonly counts = new Map<string, number>()

  constructor(readonly dir: string) {
    this.pendingDir = join(dir, 'pending')
    this.rejectedDir = join(dir, 'rejected')
    // Owner-only whatever the umask: the batches are people's analytics events.
    for (const folder of [dir, this.pendingDir, this.rejectedDir]) ensurePrivateDir(folder, { isOwnFolder: true })
  }

  /** Validates events and writes the good ones as one pending batch; the bad ones go aside with reasons. */
  enqueue(events: unknown[]): EnqueueResult {
    const good: string[] = []
    const rejected: EnqueueResult['rejected'] = []
    for (const event of events) {
      const reason = validateStreamEvent(event)
      if (reason) rejected.push({ reason, event })
      else good.push(JSON.stringify(event))
    }
    // Time-ordered ids keep delivery in the order events were produced.
    const batchId = `${Date.now().toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}`
    if (rejected.length > 0) {
      writeDurably(join(this.rejectedDir, `${batchId}.ndjson`), rejected.map((entry) => JSON.stringify(entry)).join('\n') + '\n')
    }
    if (good.length === 0) return { batch: undefined, rejected }
    const path = join(this.pendingDir, `${batchId}.ndjson`)
    writeDurably(path, `${good.join('\n')}\n`)
    this.counts.set(path, good.length)
    return { batch: { batchId, path, events: good.length }, rejected }
  }

  /** Batches not yet accepted by the warehouse, oldest first. */
  pending(): PendingBatch[] {
    return readdirSync(this.pendingDir)
      .filter((name) => name.endsWith('.ndjson'))
      .sort()
      .map((name) => {
        const path = join(this.pendingDir, name)
        let events = this.counts.get(path)
        if (events === undefined) {
          events = countLines(path)
          this.counts.set(path, events)
        }
        return { batchId: name.replace(/\.ndjson$/, ''), path, events }
      })
  }

  /** Forgets a batch the warehouse has committed. */
  markSent(batch: PendingBatch): void {
    rmSync(batch.path, { force: true })
    this.counts.delete(batch.path)
  }

  /** Every rejected event with its reason, oldest first. */
  rejected(): Array<{ reason: string; event: unknown }> {
    return readdirSync(this.rejectedDir)
      .filter((name) => name.endsWith('.ndjson'))
      .sort()
      .flatMap((name) =>
        readFileSync(join(this.rejectedDir, name), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as { reason: string; event: unknown }),
      )
  }
}

/** Writes through a temporary name, fsyncs, then renames: a reader sees the whole file or none. */
function writeDurably(path: string, content: string): void {
  const temporary = `${path}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    if (process.platform !== 'win32') fchmodSync(fd, 0o600)
    writeSync(fd, content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
}

function countLines(path: string): number {
  const text = readFileSync(path, 'utf8')
  let count = 0
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1
  return count
}
