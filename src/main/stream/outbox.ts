import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { UserFacingError, messageOf } from '../errors'
import { ensurePrivateDir } from '../private-files'
import { validateStreamEvent } from './validate-event'

/** A `*.tmp` file older than this is a leftover of a write that never finished (a live write takes milliseconds). */
const LEFTOVER_AGE_MS = 60_000

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
  /** Pending batches that could not be read, moved aside so they never block later deliveries. */
  readonly quarantineDir: string
  /** Events per pending batch, so the status poll does not re-read every batch file of a backlog each second. */
  private readonly counts = new Map<string, number>()

  constructor(readonly dir: string) {
    this.pendingDir = join(dir, 'pending')
    this.rejectedDir = join(dir, 'rejected')
    this.quarantineDir = join(dir, 'quarantine')
    // Owner-only whatever the umask: the batches are people's analytics events.
    for (const folder of [dir, this.pendingDir, this.rejectedDir, this.quarantineDir]) ensurePrivateDir(folder, { isOwnFolder: true })
    for (const folder of [this.pendingDir, this.rejectedDir]) removeLeftovers(folder)
  }

  /**
   * Validates events and writes the good ones as one pending batch; the bad ones go aside with
   * reasons. Throws when the batch could not be written whole (a full disk): then none of it is queued.
   */
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
    const path = join(this.pendingDir, `${batchId}.ndjson`)
    // The good events first: a disk that fills up then refuses the whole send, and nothing is half done.
    if (good.length > 0) {
      writeDurably(
        path,
        `${good.join('\n')}\n`,
        `A batch of streamed events could not be written to the outbox; none of its ${good.length} events were queued`,
      )
    }
    if (rejected.length > 0) {
      const content = rejected.map((entry) => JSON.stringify(entry)).join('\n') + '\n'
      try {
        writeDurably(
          join(this.rejectedDir, `${batchId}.ndjson`),
          content,
          `${rejected.length} rejected events could not be kept in the outbox`,
        )
      } catch (error) {
        if (good.length > 0) rmSync(path, { force: true })
        throw error
      }
    }
    if (good.length === 0) return { batch: undefined, rejected }
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

  /**
   * Why a pending batch cannot be delivered (a line that is not JSON or not a storable event, or a
   * cut-off last line), or undefined when every line is a good event.
   */
  damageOf(batch: PendingBatch): string | undefined {
    const text = readFileSync(batch.path, 'utf8')
    if (text.length === 0) return 'the file is empty'
    const lines = text.split('\n')
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue
      let event: unknown
      try {
        event = JSON.parse(line)
      } catch {
        return `line ${index + 1}: not valid JSON`
      }
      const reason = validateStreamEvent(event)
      if (reason) return `line ${index + 1}: ${reason}`
    }
    if (!text.endsWith('\n')) return `line ${lines.length}: cut off (no line end)`
    return undefined
  }

  /** Moves a batch that cannot be delivered into the quarantine folder, with a note of why; returns the message. */
  quarantine(batch: PendingBatch, reason: string): string {
    const target = join(this.quarantineDir, basename(batch.path))
    renameSync(batch.path, target)
    this.counts.delete(batch.path)
    writeFileSync(`${target}.reason.txt`, `${reason}\n`, { mode: 0o600 })
    fsyncFolder(this.quarantineDir)
    fsyncFolder(this.pendingDir)
    return (
      `The pending batch ${basename(batch.path)} is damaged (${reason}) and was moved to ${target}; later deliveries go on. ` +
      'Its readable events can be sent again by fixing the file and moving it back into pending/ (events already stored are not stored twice).'
    )
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

/**
 * Writes through a temporary name, checks every byte reached the file, fsyncs, reads it back,
 * then renames and fsyncs the folder: a reader sees the whole file or none. A short or failed
 * write (a full disk) removes the temporary file and throws `failure` with the system's reason.
 */
function writeDurably(path: string, content: string, failure: string): void {
  const temporary = `${path}.tmp`
  const bytes = Buffer.from(content, 'utf8')
  try {
    const fd = openSync(temporary, 'w+', 0o600)
    try {
      if (process.platform !== 'win32') fchmodSync(fd, 0o600)
      for (let written = 0; written < bytes.length;) {
        const count = writeSync(fd, bytes, written, bytes.length - written)
        if (count <= 0) throw new Error(`only ${written} of ${bytes.length} bytes were written`)
        written += count
      }
      fsyncSync(fd)
      if (fstatSync(fd).size !== bytes.length) throw new Error(`the file holds ${fstatSync(fd).size} of ${bytes.length} bytes`)
      const back = Buffer.alloc(bytes.length)
      if (readSync(fd, back, 0, bytes.length, 0) !== bytes.length || !back.equals(bytes))
        throw new Error('the file reads back different bytes')
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, path)
    fsyncFolder(join(path, '..'))
  } catch (error) {
    rmSync(temporary, { force: true })
    throw new UserFacingError(`${failure}: ${messageOf(error)}. Free some disk space (df -h ${join(path, '..')}) and send them again.`)
  }
}

/** Makes a rename in the folder durable (POSIX; Windows cannot open a folder for fsync). */
function fsyncFolder(folder: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(folder, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Removes `*.tmp` files an interrupted write left (never one a live writer could still be writing). */
function removeLeftovers(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.tmp')) continue
    const path = join(folder, name)
    try {
      if (Date.now() - statSync(path).mtimeMs > LEFTOVER_AGE_MS) rmSync(path, { force: true })
    } catch {
      // Gone meanwhile: nothing to clean.
    }
  }
}

function countLines(path: string): number {
  const text = readFileSync(path, 'utf8')
  let count = 0
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1
  return count
}
