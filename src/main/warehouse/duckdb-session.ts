import { existsSync } from 'node:fs'
import type { DuckDBConnection } from '@duckdb/node-api'
import { type DuckDbFile, openDuckDbFile, withDuckDbFile } from './duckdb-file'

/** Told about this process's own uses of the file, so whatever else changed it stands out (see OutsideChanges). */
export interface DuckDbSessionObserver {
  /** The file was just opened read-write, before this process's work: what it holds came from elsewhere. */
  opened(file: DuckDbFile): Promise<void>
  /** This process's work on the read-write connection is done, just before the file closes. */
  wrote(file: DuckDbFile): Promise<void>
  /** This process let go of the file after work of its own (a write, or a child process such as dbt). */
  released(): void
}

/**
 * Shares one read-only connection among the app's readers and hands the file over for writes.
 * DuckDB lets one process write a file and nobody else open it meanwhile, and dbt is another
 * process: so every write (import, dbt build) waits for reads to finish, closes the reader, runs,
 * and the next read reopens the file and sees the new data. The reader closes as soon as no read
 * runs, so an idle process holds no lock and the CLI (or dbt) can take the file at any time.
 */
export class DuckDbSession {
  /** Told about every write and hand-over; the app sets it, the CLI does not. */
  observer: DuckDbSessionObserver | undefined

  private reader: Promise<DuckDbFile> | undefined
  private activeReads = 0
  /** Open `hold` calls: the reader stays open between their reads (a write still closes it). */
  private holds = 0
  private drained: (() => void) | undefined
  private writeQueue: Promise<unknown> = Promise.resolve()
  private writing: Promise<unknown> | undefined

  constructor(readonly path: string) {}

  /** Runs a read on the shared connection; waits while a write holds the file. */
  async read<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    while (this.writing) await this.writing.catch(() => undefined)
    this.activeReads += 1
    try {
      const file = await this.openReader()
      return await work(file.connection)
    } finally {
      this.activeReads -= 1
      if (this.activeReads === 0) {
        if (this.drained) this.drained()
        else if (this.holds === 0) void this.releaseReader()
      }
    }
  }

  /**
   * Keeps the reader open between the reads `work` makes, so a command of several reads (the CLI's
   * `report`: its checks, then the report) opens the file once. Not a read itself: a write meanwhile
   * still closes the reader when its reads are done, and the next read opens it again.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.holds += 1
    try {
      return await work()
    } finally {
      this.holds -= 1
      if (this.holds === 0 && this.activeReads === 0 && !this.drained) void this.releaseReader()
    }
  }

  /** Runs work that needs the file to itself (this process writing, or a child process such as dbt). */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(async () => {
      await this.closeReader()
      try {
        return await work()
      } finally {
        this.observer?.released()
      }
    })
    this.writeQueue = run.catch(() => undefined)
    this.writing = this.writeQueue
    try {
      return await run
    } finally {
      if (this.writing === this.writeQueue) this.writing = undefined
    }
  }

  /** Runs work on a read-write connection, creating the file and raw tables when missing. */
  async write<T>(work: (file: DuckDbFile) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      withDuckDbFile(this.path, { readOnly: false }, async (file) => {
        await this.observer?.opened(file).catch(() => undefined)
        try {
          return await work(file)
        } finally {
          await this.observer?.wrote(file).catch(() => undefined)
        }
      }),
    )
  }

  /** True while a read, a write or a hand-over runs or waits. */
  get isBusy(): boolean {
    return this.activeReads > 0 || this.writing !== undefined || this.reader !== undefined
  }

  /** True when the warehouse file exists. */
  exists(): boolean {
    return existsSync(this.path)
  }

  /** Closes the shared connection (on quit). */
  async close(): Promise<void> {
    await this.closeReader()
  }

  private openReader(): Promise<DuckDbFile> {
    if (!this.reader) {
      const opening = openDuckDbFile(this.path, { readOnly: true })
      this.reader = opening
      opening.catch(() => {
        if (this.reader === opening) this.reader = undefined
      })
    }
    return this.reader
  }

  /** Closes the reader once the last read is done; a read starting meanwhile opens its own. */
  private async releaseReader(): Promise<void> {
    const reader = this.reader
    this.reader = undefined
    if (reader) (await reader.catch(() => undefined))?.close()
  }

  private async closeReader(): Promise<void> {
    if (this.activeReads > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve
      })
      this.drained = undefined
    }
    const reader = this.reader
    this.reader = undefined
    if (reader) (await reader.catch(() => undefined))?.close()
  }
}
