import { existsSync } from 'node:fs'
import { DEFAULT_CONVERSION_EVENTS } from '@shared/attribution'
import type { DemoStatus, StreamBurstMode, StreamBurstResult, StreamStatus } from '@shared/api'
import { describeDbtProgress } from '../dbt/progress-text'
import { messageOf } from '../errors'
import { ServedWarehouse } from '../serving/served-warehouse'
import { ServingStore, servingDirectory } from '../serving/serving-store'
import { EmbeddedSink } from '../stream/embedded-sink'
import { type RefreshCommand, RefreshLoop } from '../stream/refresh-loop'
import { outboxFor } from '../stream/outbox-sender'
import { Streamer } from '../stream/streamer'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { createDemoSandbox, demoWarehousePathOf, hasImportedData, readDemoSandbox, removeDemoSandbox } from './demo-sandbox'

/** The sandbox opened as the app opens a warehouse: served copy, refresh loop and streamer of its own. */
export interface DemoStack {
  warehouse: ServedWarehouse
  refresh: RefreshLoop
  stream: Streamer
}

/** What the demo mode needs from the app: the real warehouse, and the refresh settings the app uses. */
export interface DemoModeOptions {
  real: ServedWarehouse
  refreshCommand: RefreshCommand
  refreshDebounceMs?: number
  refreshCancelPauseMs?: number
  log?: (message: string) => void
  /** The id of the newest change another process made to the file (the CLI's import), or null. */
  outsideChangeId?: () => number | null
}

/**
 * Switches the app's embedded views and "Stream events" between the real warehouse and its demo
 * sandbox. Streaming on a warehouse with imported exports enters the sandbox first (made when
 * missing), so demo events never land in the analyst's file; leaving is one call, removing another.
 */
export class DemoMode {
  private stack: DemoStack | undefined
  private isActive = false
  private preparing: Promise<DemoStack> | undefined
  private preparingMessage: string | null = null
  private error: string | null = null
  private hasImportedData = false
  /** The outside-change id under which the file was last seen without imports: while it stands, a burst during a refresh need not wait for dbt to look again. */
  private checkedWithoutImportsAt: { outsideChangeId: number | null } | undefined
  private readonly snapshotListeners = new Set<() => void>()

  constructor(private readonly options: DemoModeOptions) {}

  /** Calls `listener` after every refresh of a demo copy's serving copy, whichever copy is made later; returns the function that stops it. */
  onSnapshot(listener: () => void): () => void {
    this.snapshotListeners.add(listener)
    return () => this.snapshotListeners.delete(listener)
  }

  /** The header's view of the demo. */
  status(): DemoStatus {
    return {
      isActive: this.isActive,
      sandbox: readDemoSandbox(this.options.real.embedded.path),
      isPreparing: this.preparing !== undefined,
      preparingMessage: this.preparingMessage,
      error: this.error,
    }
  }

  /** The sandbox while it is shown, else undefined (the real warehouse is shown). */
  active(): DemoStack | undefined {
    return this.isActive ? this.stack : undefined
  }

  /** True when the real warehouse holds imported exports, so streaming must not write into it (once true, it stays: imports are never undone). */
  async needsSandbox(): Promise<boolean> {
    const real = this.options.real.embedded
    if (this.hasImportedData) return true
    if (!existsSync(real.path)) return false
    const outsideChangeId = this.options.outsideChangeId?.() ?? null
    // Only an import can change the answer: this app's imports reset it (leave), another process's show as an outside change.
    if (real.isBusy && this.checkedWithoutImportsAt?.outsideChangeId === outsideChangeId) return false
    // A read-only look while this process holds no connection: no read-write open per burst.
    this.hasImportedData = await real.handOver(() =>
      withDuckDbFile(real.path, { readOnly: true }, (file) => hasImportedData(file.connection)),
    )
    this.checkedWithoutImportsAt = this.hasImportedData ? undefined : { outsideChangeId }
    return this.hasImportedData
  }

  /** Where a burst or a continuous stream goes: the sandbox when shown or when the real warehouse holds imported data. */
  async streamTarget(): Promise<DemoStack | undefined> {
    if (this.isActive && this.stack) return this.stack
    if (!(await this.needsSandbox())) return undefined
    await this.enter()
    return this.stack
  }

  /** Shows the sandbox, copying the real warehouse and building the copy's models first when there is none. */
  async enter(): Promise<DemoStatus> {
    this.preparing ??= this.prepare().finally(() => {
      this.preparing = undefined
      this.preparingMessage = null
    })
    try {
      this.stack = await this.preparing
      this.isActive = true
      this.error = null
    } catch (error) {
      this.error = `The demo copy could not be made: ${messageOf(error)}`
      throw error
    }
    return this.status()
  }

  /** Back to the real warehouse; the sandbox stays for the next demo. A continuous demo stream stops. */
  leave(): DemoStatus {
    // Called before this app's imports too: the next burst looks at the file again.
    this.checkedWithoutImportsAt = undefined
    this.stack?.stream.stop()
    this.isActive = false
    return this.status()
  }

  /** Back to the real warehouse, and the sandbox folder deleted (after its pending deliveries). */
  async remove(): Promise<DemoStatus> {
    this.leave()
    await this.preparing?.catch(() => undefined)
    await this.closeStack()
    removeDemoSandbox(this.options.real.embedded.path)
    this.error = null
    return this.status()
  }

  /** Stops the sandbox's streamer and dbt worker and releases its file (on quit). */
  async close(): Promise<void> {
    this.isActive = false
    await this.preparing?.catch(() => undefined)
    await this.closeStack()
  }

  /** Sends a burst into the sandbox. */
  burst(stack: DemoStack, count: number, mode?: StreamBurstMode): Promise<StreamBurstResult> {
    return stack.stream.burst(count, mode)
  }

  /** The sandbox's stream status, with the demo's. */
  streamStatus(stack: DemoStack): StreamStatus {
    return { ...stack.stream.status(), outsideChange: null, demo: this.status() }
  }

  private async closeStack(): Promise<void> {
    const stack = this.stack
    this.stack = undefined
    if (!stack) return
    stack.stream.stop()
    stack.refresh.close()
    await stack.stream.delivered()
    await stack.warehouse.embedded.close()
    stack.warehouse.serving.close()
  }

  private async prepare(): Promise<DemoStack> {
    if (this.stack) return this.stack
    const realPath = this.options.real.embedded.path
    if (!readDemoSandbox(realPath)) {
      this.preparingMessage = `Copying ${realPath}`
      const info = await this.options.real.embedded.exclusive(() => createDemoSandbox(realPath))
      this.options.log?.(`Demo copy of ${realPath}: ${info.events} events in ${info.copyMs} ms at ${info.location}`)
    }
    const embedded = new EmbeddedWarehouse(demoWarehousePathOf(realPath))
    const warehouse = new ServedWarehouse(embedded, await ServingStore.create({ directory: servingDirectory(embedded.path) }))
    warehouse.serving.onSnapshot(() => {
      for (const listener of this.snapshotListeners) listener()
    })
    await warehouse.refresh()
    const refresh = new RefreshLoop(
      warehouse,
      this.options.refreshCommand,
      this.options.refreshDebounceMs,
      this.options.refreshCancelPauseMs,
    )
    const stream = new Streamer(new EmbeddedSink(warehouse, outboxFor(embedded.path), refresh))
    const stack = { warehouse, refresh, stream }
    try {
      if (!warehouse.serving.isBuilt) await this.build(stack)
      void refresh.warmUp()
      void stream.recover()
    } catch (error) {
      refresh.close()
      await embedded.close()
      warehouse.serving.close()
      throw error
    }
    return stack
  }

  /** A full build of the small copy, in the sandbox loop's own dbt worker (which its refreshes reuse). */
  private async build(stack: DemoStack): Promise<void> {
    this.preparingMessage = "Building the demo copy's models"
    const result = await stack.warehouse.embedded.build({
      runner: (options) => stack.refresh.runInWorker(options),
      conversionEvents: DEFAULT_CONVERSION_EVENTS,
      afterSuccess: () => stack.warehouse.serving.refreshFrom(stack.warehouse.embedded.path),
      onProgress: (progress) => {
        const message = describeDbtProgress(progress)
        if (message && progress.index !== undefined && progress.total !== undefined) {
          this.preparingMessage = `Building the demo copy's models: ${message} (${Math.round((progress.index / progress.total) * 100)}%)`
        }
      },
    })
    assertDbtSucceeded(result)
  }
}
