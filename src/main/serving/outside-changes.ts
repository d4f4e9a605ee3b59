import { statSync } from 'node:fs'
import type { OutsideChange } from '@shared/api'
import type { DuckDbFile } from '../warehouse/duckdb-file'
import { type WarehouseStamp, queryWarehouseStamp } from '../warehouse/duckdb-queries'
import type { DuckDbSessionObserver } from '../warehouse/duckdb-session'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import type { ServingStore } from './serving-store'

/** How often the file's size and modification time are looked at; a look costs two stat calls. */
export const OUTSIDE_POLL_MS = 1_000
/** Changes noticed within this time of the last one are summed into one notice ("20 events streamed, models rebuilt"). */
export const OUTSIDE_MERGE_MS = 30_000

/** Size, modification time and inode of the file and its write-ahead log: cheap, and changed by any write. */
export function fileSignature(path: string): string {
  return [path, `${path}.wal`]
    .map((file) => {
      try {
        const stat = statSync(file, { bigint: true })
        return `${stat.ino}:${stat.size}:${stat.mtimeNs}`
      } catch {
        return 'none'
      }
    })
    .join('|')
}

/** What changed from `before` to `after`, or undefined when nothing did. */
export function stampDifference(before: WarehouseStamp, after: WarehouseStamp): Omit<OutsideChange, 'id' | 'noticedAt'> | undefined {
  const change = {
    importedEvents: Math.max(0, after.events - before.events),
    streamedEvents: Math.max(0, after.intradayEvents - before.intradayEvents),
    importedFiles: Math.max(0, after.importedFiles - before.importedFiles),
    modelsBuiltAt: after.modelsBuiltAt !== before.modelsBuiltAt ? after.modelsBuiltAt : null,
  }
  const isSame =
    after.events === before.events &&
    after.intradayEvents === before.intradayEvents &&
    after.importedFiles === before.importedFiles &&
    after.modelsBuiltAt === before.modelsBuiltAt
  return isSame ? undefined : change
}

/**
 * Notices what other processes (the CLI's import, stream or build) did to the warehouse file the app
 * has open. This process never holds the file while idle, so they can take it; afterwards the file's
 * size or time differs from what this process left, and a read-only look at a few figures
 * (WarehouseStamp) tells what changed. The serving copy is then reloaded, the change kept for the
 * header, and raw events that no outside build modelled go to the refresh loop. This process's own
 * writes and builds update the figures it knows, so they never count as outside changes.
 */
export class OutsideChanges implements DuckDbSessionObserver {
  private known: WarehouseStamp | undefined
  private signature = ''
  /** An outside change was seen while the file was in use, or a look failed: reload at the next tick. */
  private isStale = false
  private latestChange: OutsideChange | null = null
  private nextId = 1
  private timer: NodeJS.Timeout | undefined
  private looking: Promise<void> | undefined
  private readonly stopSnapshots: () => void

  constructor(
    private readonly embedded: EmbeddedWarehouse,
    private readonly serving: ServingStore,
    /** Raw events arrived from outside and no outside build modelled them: the app's refresh loop may run. */
    private readonly onUnmodelledEvents: () => void,
    private readonly options: { pollMs?: number; now?: () => Date } = {},
  ) {
    // Every snapshot (the app's own builds and refreshes, and this watcher's reloads) is what the app now shows.
    this.stopSnapshots = serving.onSnapshot((stamp) => {
      this.known = stamp
    })
    embedded.observe(this)
    this.signature = fileSignature(embedded.path)
  }

  /** Starts looking at the file every `pollMs`. */
  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.pollMs ?? OUTSIDE_POLL_MS)
    this.timer.unref()
  }

  /** Stops looking (on quit). */
  close(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.stopSnapshots()
    this.embedded.observe(undefined)
  }

  /** The newest outside change, for the header; null until one was noticed. */
  latest(): OutsideChange | null {
    return this.latestChange ? { ...this.latestChange } : null
  }

  /** Looks now (tests; the timer calls it too); resolves when the look and any reload are done. */
  async tick(): Promise<void> {
    if (this.looking) return this.looking
    if (this.embedded.isBusy) return
    if (!this.isStale && fileSignature(this.embedded.path) === this.signature) return
    this.looking = this.look().finally(() => {
      this.looking = undefined
    })
    return this.looking
  }

  async opened(file: DuckDbFile): Promise<void> {
    this.publish(this.compare(await queryWarehouseStamp(file.connection)))
  }

  async wrote(file: DuckDbFile): Promise<void> {
    this.known = await queryWarehouseStamp(file.connection)
  }

  released(): void {
    this.signature = fileSignature(this.embedded.path)
  }

  private async look(): Promise<void> {
    try {
      await this.embedded.handOver(async () => {
        const stamp = await this.serving.readStamp(this.embedded.path)
        const change = this.compare(stamp)
        if (change || this.isStale) await this.serving.refreshFrom(this.embedded.path)
        this.isStale = false
        // Told only once the views show it: the notice and the numbers never disagree.
        this.publish(change)
      })
    } catch {
      // Another process has the file (a CLI stream runs on): look again at the next tick.
      this.isStale = true
    }
  }

  /** What differs from what this process knew, merged with a recent notice; undefined when nothing does. */
  private compare(stamp: WarehouseStamp): { change: OutsideChange; hasUnmodelledEvents: boolean } | undefined {
    const before = this.known
    this.known = stamp
    const difference = before ? stampDifference(before, stamp) : undefined
    if (!difference) return undefined
    this.isStale = true
    const now = (this.options.now ?? (() => new Date()))()
    const previous = this.latestChange
    const isMerged = previous !== null && now.getTime() - Date.parse(previous.noticedAt) <= OUTSIDE_MERGE_MS
    const change = {
      id: this.nextId++,
      noticedAt: now.toISOString(),
      importedEvents: difference.importedEvents + (isMerged ? previous.importedEvents : 0),
      streamedEvents: difference.streamedEvents + (isMerged ? previous.streamedEvents : 0),
      importedFiles: difference.importedFiles + (isMerged ? previous.importedFiles : 0),
      modelsBuiltAt: difference.modelsBuiltAt ?? (isMerged ? previous.modelsBuiltAt : null),
    }
    const hasNewEvents = difference.importedEvents > 0 || difference.streamedEvents > 0
    return { change, hasUnmodelledEvents: hasNewEvents && difference.modelsBuiltAt === null }
  }

  /** Makes a change the newest notice, and asks for a refresh when it left events unmodelled. */
  private publish(found: { change: OutsideChange; hasUnmodelledEvents: boolean } | undefined): void {
    if (!found) return
    this.latestChange = found.change
    if (found.hasUnmodelledEvents && this.serving.isBuilt) this.onUnmodelledEvents()
  }
}
