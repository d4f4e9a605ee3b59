import type { StreamBurstMode, StreamBurstResult, StreamStatus } from '@shared/api'
import type { Ga4Event } from '@shared/ga4-event'
import type { ServedWarehouse } from '../serving/served-warehouse'
import { queryRecentUsers } from '../warehouse/duckdb-queries'
import type { Outbox } from './outbox'
import type { RefreshLoop } from './refresh-loop'
import { StreamSource } from './stream-source'
import { deliverOutbox } from './deliver'

/** Chance that a burst also re-sends one event of the previous burst, as a flaky tag's retry would. */
const RETRY_SHARE = 0.3
/** Continuous mode sends this often, with the rate spread over the ticks. */
const TICK_MS = 200
const RETURNING_USERS = 200
const RETRY_DELIVERY_MS = 1000
/** Pause between delivery rounds while a stream keeps the outbox busy: reads and dbt get the file, and the next round takes more batches at once. */
const DELIVERY_GAP_MS = 250

/**
 * The app's "Stream events": bursts and a continuous mode. Events are queued in the durable outbox,
 * shown in the feed at once, delivered to the warehouse in the background (waiting while dbt has the
 * file), and each landing asks the refresh loop to bring the models up to date.
 */
export class LiveStream {
  private source: StreamSource | undefined
  private previous: Ga4Event[] = []
  private delivering: Promise<void> | undefined
  private continuous: { timer: NodeJS.Timeout; ratePerSecond: number; carry: number } | undefined
  private readonly totals = { stored: 0, duplicates: 0, rejected: 0 }
  private lastDeliveryError: string | null = null

  constructor(
    private readonly warehouse: ServedWarehouse,
    private readonly outbox: Outbox,
    private readonly refresh: RefreshLoop,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delivers what an earlier run left in the outbox. */
  recover(): Promise<void> {
    return this.deliverSoon()
  }

  /** Sends `count` new events (now and then with one retried event among them). */
  async burst(count: number, mode: StreamBurstMode = 'realistic'): Promise<StreamBurstResult> {
    const source = await this.sourceOnce()
    const events = source.next(count, mode)
    const retry =
      this.previous.length > 0 && this.random() < RETRY_SHARE ? [this.previous[Math.floor(this.random() * this.previous.length)]] : []
    this.previous = events
    const replayed = retry.filter((event): event is Ga4Event => event !== undefined)
    const batch = [...events, ...replayed]
    const { rejected } = this.outbox.enqueue(batch)
    const shown = await this.warehouse.serving.addStreamed(batch)
    this.totals.rejected += rejected.length
    void this.deliverSoon()
    return {
      queued: batch.length - rejected.length,
      added: shown.added,
      duplicates: shown.duplicates,
      rejected: rejected.length,
      replayed: replayed.length,
      demoJourney: events.length - count,
    }
  }

  /** Streams continuously at `ratePerSecond` until stopped. */
  start(ratePerSecond: number): StreamStatus {
    this.stop()
    const state = { ratePerSecond, carry: 0, timer: setInterval(() => void this.tick(), TICK_MS) }
    this.continuous = state
    return this.status()
  }

  /** Stops the continuous mode; what was queued is still delivered. */
  stop(): StreamStatus {
    if (this.continuous) clearInterval(this.continuous.timer)
    this.continuous = undefined
    return this.status()
  }

  /** The streamer's and the refresh loop's state. */
  status(): StreamStatus {
    const refresh = this.refresh.state()
    return {
      isStreaming: this.continuous !== undefined,
      ratePerSecond: this.continuous?.ratePerSecond ?? null,
      storedEvents: this.totals.stored,
      duplicateEvents: this.totals.duplicates,
      pendingEvents: this.outbox.pending().reduce((sum, batch) => sum + batch.events, 0),
      rejectedEvents: this.totals.rejected,
      refresh: this.lastDeliveryError && refresh.state !== 'failed' ? { ...refresh, lastError: this.lastDeliveryError } : refresh,
      sustainableRatePerSecond: this.refresh.sustainableRatePerSecond() ?? null,
    }
  }

  /** Resolves once the outbox is empty (tests and benchmarks wait on it). */
  async delivered(): Promise<void> {
    while (this.delivering) await this.delivering
  }

  private async tick(): Promise<void> {
    const state = this.continuous
    if (!state) return
    state.carry += (state.ratePerSecond * TICK_MS) / 1000
    const count = Math.floor(state.carry)
    if (count === 0) return
    state.carry -= count
    await this.burst(count).catch(() => undefined)
  }

  private async sourceOnce(): Promise<StreamSource> {
    this.source ??= new StreamSource({ knownUsers: await queryRecentUsers(this.warehouse.serving.connection, RETURNING_USERS) })
    return this.source
  }

  /** One delivery loop at a time; it runs until the outbox is empty. */
  private deliverSoon(): Promise<void> {
    this.delivering ??= this.deliverAll().finally(() => {
      this.delivering = undefined
    })
    return this.delivering
  }

  private async deliverAll(): Promise<void> {
    while (this.outbox.pending().length > 0) {
      try {
        const results = await deliverOutbox(this.warehouse.embedded, this.outbox)
        for (const result of results) {
          this.totals.stored += result.addedEventIds.length
          this.totals.duplicates += result.duplicateEventIds.length
        }
        const quarantined = results.flatMap((result) => (result.quarantined ? [result.quarantined] : []))
        for (const message of quarantined) console.warn(message)
        this.lastDeliveryError = quarantined.length > 0 ? quarantined.join(' ') : null
        const added = results.reduce((sum, result) => sum + result.addedEventIds.length, 0)
        if (added > 0) this.refresh.notify(added)
        if (this.outbox.pending().length > 0) await new Promise((resolve) => setTimeout(resolve, DELIVERY_GAP_MS))
      } catch (error) {
        // The batch stays in the outbox; try again shortly.
        this.lastDeliveryError = `Streamed events are waiting in the outbox: ${error instanceof Error ? error.message : String(error)}`
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELIVERY_MS))
      }
    }
  }
}
