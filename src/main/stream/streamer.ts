import type { RefreshState, StreamBurstMode, StreamBurstResult, StreamStatus } from '@shared/api'
import type { Ga4Event } from '@shared/ga4-event'
import { StreamSource, type StreamSourceOptions } from './stream-source'

/** Pause between delivery rounds while a stream keeps the sink busy: reads and dbt get the file, and the next round takes more at once. */
const DELIVERY_GAP_MS = 250
/** After a failed delivery the events stay pending; the next round starts after this pause. */
const RETRY_DELIVERY_MS = 1000

/** What a sink made of a burst at once: kept for delivery, refused, and how the live feed counts it. */
export interface SinkWrite {
  queued: number
  rejected: number
  added: number
  duplicates: number
  /** Set by a sink that stores the burst while it writes it (nothing is left pending). */
  landed?: Landing
}

/** What reached the warehouse in one delivery. */
export interface Landing {
  stored: number
  duplicates: number
  /** What to tell the person (a batch set aside unread); the status shows it until the next landing. */
  warnings?: string[]
}

/** The dbt refresh that follows a sink's landings: the embedded warehouse's refresh loop, or BigQuery's debounced build. */
export interface ModelRefresh {
  /** `events` new events are in the warehouse: the models catch up shortly. */
  notify(events: number): void
  state(): RefreshState
  /** The continuous rate (events/s) recent refreshes keep up with; left out where it is not measured. */
  sustainableRatePerSecond?(): number | undefined
}

/** Where a streamer's events go and how the models catch up: the embedded warehouse's outbox, or BigQuery's intraday table. */
export interface StreamSink {
  /** Continuous mode sends this often, with the rate spread over the ticks. */
  readonly tickMs: number
  /** Chance that a burst also re-sends one event of the previous burst, as a flaky tag's retry would (0 where duplicates are not counted). */
  readonly retryShare: number
  readonly refresh: ModelRefresh
  /** The source's options (returning visitors read from the warehouse); read once, at the first burst. */
  sourceOptions(): Promise<StreamSourceOptions>
  /** Takes a burst: queued durably, or stored at once. */
  write(events: Ga4Event[]): Promise<SinkWrite>
  /** Events written but not yet delivered, and where they wait ("in the outbox"), for the status. */
  pendingEvents(): number
  readonly pendingWhere: string
  /** Delivers what is pending; throws when it cannot (the events stay pending). */
  deliver(): Promise<Landing>
  /** Drops timers of its own (on quit or a settings change). */
  close?(): void
}

/**
 * The app's "Stream events", on any warehouse: bursts and a continuous mode, the totals and the status.
 * Events go to the sink; what is pending is delivered in the background, one delivery loop at a time,
 * retried after a failure; each landing asks the sink's refresh to bring the models up to date.
 */
export class Streamer {
  private source: Promise<StreamSource> | undefined
  private previous: Ga4Event[] = []
  private delivering: Promise<void> | undefined
  private continuous: { timer: NodeJS.Timeout; ratePerSecond: number; carry: number } | undefined
  private readonly totals = { stored: 0, duplicates: 0, rejected: 0 }
  private lastDeliveryError: string | null = null

  constructor(
    readonly sink: StreamSink,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delivers what an earlier run left pending. */
  recover(): Promise<void> {
    return this.deliverSoon()
  }

  /** Sends `count` new events (now and then with one retried event among them). */
  async burst(count: number, mode: StreamBurstMode = 'realistic'): Promise<StreamBurstResult> {
    // A failed read of the options is tried again at the next burst.
    this.source ??= this.sink.sourceOptions().then(
      (options) => new StreamSource(options),
      (error: unknown) => {
        this.source = undefined
        throw error
      },
    )
    const events = (await this.source).next(count, mode)
    const retry =
      this.previous.length > 0 && this.random() < this.sink.retryShare
        ? [this.previous[Math.floor(this.random() * this.previous.length)]]
        : []
    this.previous = events
    const replayed = retry.filter((event): event is Ga4Event => event !== undefined)
    const written = await this.sink.write([...events, ...replayed])
    this.totals.rejected += written.rejected
    if (written.landed) this.landed(written.landed)
    void this.deliverSoon()
    return {
      queued: written.queued,
      added: written.added,
      duplicates: written.duplicates,
      rejected: written.rejected,
      replayed: replayed.length,
      demoJourney: events.length - count,
    }
  }

  /** Streams continuously at `ratePerSecond` until stopped. */
  start(ratePerSecond: number): StreamStatus {
    this.stop()
    this.continuous = { ratePerSecond, carry: 0, timer: setInterval(() => void this.tick(), this.sink.tickMs) }
    return this.status()
  }

  /** Stops the continuous mode; what was queued is still delivered. */
  stop(): StreamStatus {
    if (this.continuous) clearInterval(this.continuous.timer)
    this.continuous = undefined
    return this.status()
  }

  /** Stops streaming and the sink's own timers (on quit or a settings change). */
  close(): void {
    this.stop()
    this.sink.close?.()
  }

  /** The streamer's and the refresh's state. */
  status(): StreamStatus {
    const { refresh } = this.sink
    const state = refresh.state()
    return {
      isStreaming: this.continuous !== undefined,
      ratePerSecond: this.continuous?.ratePerSecond ?? null,
      storedEvents: this.totals.stored,
      duplicateEvents: this.totals.duplicates,
      pendingEvents: this.sink.pendingEvents(),
      rejectedEvents: this.totals.rejected,
      refresh: this.lastDeliveryError && state.state !== 'failed' ? { ...state, lastError: this.lastDeliveryError } : state,
      ...(refresh.sustainableRatePerSecond ? { sustainableRatePerSecond: refresh.sustainableRatePerSecond() ?? null } : {}),
    }
  }

  /** Resolves once nothing is pending (tests and benchmarks wait on it). */
  async delivered(): Promise<void> {
    while (this.delivering) await this.delivering
  }

  private async tick(): Promise<void> {
    const state = this.continuous
    if (!state) return
    state.carry += (state.ratePerSecond * this.sink.tickMs) / 1000
    const count = Math.floor(state.carry)
    if (count === 0) return
    state.carry -= count
    await this.burst(count).catch(() => undefined)
  }

  private landed(landing: Landing): void {
    this.totals.stored += landing.stored
    this.totals.duplicates += landing.duplicates
    const warnings = landing.warnings ?? []
    for (const message of warnings) console.warn(message)
    this.lastDeliveryError = warnings.length > 0 ? warnings.join(' ') : null
    if (landing.stored > 0) this.sink.refresh.notify(landing.stored)
  }

  /** One delivery loop at a time; it runs until nothing is pending. */
  private deliverSoon(): Promise<void> {
    this.delivering ??= this.deliverAll().finally(() => {
      this.delivering = undefined
    })
    return this.delivering
  }

  private async deliverAll(): Promise<void> {
    while (this.sink.pendingEvents() > 0) {
      try {
        this.landed(await this.sink.deliver())
        if (this.sink.pendingEvents() > 0) await new Promise((resolve) => setTimeout(resolve, DELIVERY_GAP_MS))
      } catch (error) {
        // The events stay pending; try again shortly.
        this.lastDeliveryError = `Streamed events are waiting ${this.sink.pendingWhere}: ${error instanceof Error ? error.message : String(error)}`
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELIVERY_MS))
      }
    }
  }
}
