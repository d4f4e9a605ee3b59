import type { Ga4Event } from '@shared/ga4-event'
import { describe, expect, it } from 'vitest'
import { idleRefreshState } from './refresh-loop'
import { type Landing, type SinkWrite, type StreamSink, Streamer } from './streamer'

/** A sink that keeps events in memory until delivered; `failures` deliveries throw first. */
class MemorySink implements StreamSink {
  readonly pendingWhere = 'in memory'
  readonly written: Ga4Event[][] = []
  readonly stored = new Set<string>()
  readonly notified: number[] = []
  readonly refresh = { notify: (events: number) => void this.notified.push(events), state: idleRefreshState }
  private pending: Ga4Event[] = []

  constructor(
    readonly tickMs: number,
    readonly retryShare: number,
    private failures = 0,
  ) {}

  async sourceOptions() {
    return { seed: 7 }
  }

  async write(events: Ga4Event[]): Promise<SinkWrite> {
    this.written.push(events)
    this.pending.push(...events)
    return { queued: events.length, rejected: 0, added: events.length, duplicates: 0 }
  }

  pendingEvents(): number {
    return this.pending.length
  }

  async deliver(): Promise<Landing> {
    if (this.failures > 0) {
      this.failures -= 1
      throw new Error('the file is busy')
    }
    const ids = this.pending.map((event) => eventId(event))
    this.pending = []
    const before = this.stored.size
    for (const id of ids) this.stored.add(id)
    return { stored: this.stored.size - before, duplicates: ids.length - (this.stored.size - before) }
  }
}

function eventId(event: Ga4Event): string {
  return String(event.event_params.find((param) => param.key === 'event_id')?.value.string_value)
}

describe('Streamer', () => {
  it('delivers in the background, shows why events wait after a failed delivery, and counts each landing once', async () => {
    const sink = new MemorySink(1000, 1, 1)
    const streamer = new Streamer(sink, () => 0)
    const first = await streamer.burst(10)
    expect(first).toMatchObject({ queued: 10, replayed: 0 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(streamer.status()).toMatchObject({ pendingEvents: 10, storedEvents: 0 })
    expect(streamer.status().refresh.lastError).toMatch(/^Streamed events are waiting in memory: the file is busy/)
    // Every burst after the first replays one event of the one before (retryShare 1): a duplicate.
    const second = await streamer.burst(10)
    expect(second.replayed).toBe(1)
    expect(second.queued).toBe(11 + (second.demoJourney ?? 0))
    await streamer.delivered()
    const status = streamer.status()
    expect(status).toMatchObject({ pendingEvents: 0, duplicateEvents: 1, rejectedEvents: 0 })
    expect(status.storedEvents).toBe(sink.stored.size)
    expect(status.refresh.lastError).toBeNull()
    expect(sink.notified.reduce((sum, events) => sum + events, 0)).toBe(sink.stored.size)
    // The refresh measures no rate, so the status says nothing about one.
    expect(status).not.toHaveProperty('sustainableRatePerSecond')
  })

  it('spreads a continuous rate over the ticks, carrying fractions, until stopped', async () => {
    const sink = new MemorySink(20, 0)
    const streamer = new Streamer(sink)
    expect(streamer.start(25)).toMatchObject({ isStreaming: true, ratePerSecond: 25 })
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect(streamer.stop()).toMatchObject({ isStreaming: false, ratePerSecond: null })
    const sizes = sink.written.map((events) => events.length)
    // 25/s over 20 ms ticks is half an event a tick: one event every other tick (a demo journey may add some).
    expect(sizes.length).toBeGreaterThanOrEqual(5)
    expect(sizes.every((size) => size >= 1)).toBe(true)
    const writes = sink.written.length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sink.written.length).toBe(writes)
    await streamer.delivered()
  })
})
