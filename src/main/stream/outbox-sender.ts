import type { DuckDbFile } from '../warehouse/duckdb-file'
import { type DeliveryHooks, type DeliveryResult, deliverPending } from './deliver'
import { Outbox } from './outbox'
import type { StreamSource } from './stream-source'

/** What one burst did. */
export interface BurstResult {
  queued: number
  rejected: Array<{ reason: string; event: unknown }>
  deliveries: DeliveryResult[]
}

/** The outbox folder that belongs to a warehouse file. */
export function outboxFor(warehousePath: string): Outbox {
  return new Outbox(`${warehousePath}.outbox`)
}

/** How pending batches reach the warehouse: a read-write file held for a whole run, or opened per delivery. */
export type Deliver = (outbox: Outbox, hooks: DeliveryHooks) => Promise<DeliveryResult[]>

/** Delivery over a read-write file the caller holds open (the CLI holds it for a whole run). */
export function deliverToFile(file: DuckDbFile): Deliver {
  return (outbox, hooks) => deliverPending(file, outbox, hooks)
}

/** Sends events into a warehouse through its durable outbox at once: queue first, then deliver everything pending (the CLI, tests and benchmarks). */
export class OutboxSender {
  constructor(
    private readonly deliver: Deliver,
    readonly outbox: Outbox,
    private readonly hooks: DeliveryHooks = {},
  ) {}

  /** Delivers what an earlier run left pending (after a crash, say). */
  recover(): Promise<DeliveryResult[]> {
    return this.deliver(this.outbox, this.hooks)
  }

  /** Queues events durably, then delivers every pending batch. */
  async send(events: unknown[]): Promise<BurstResult> {
    const { batch, rejected } = this.outbox.enqueue(events)
    const deliveries = await this.deliver(this.outbox, this.hooks)
    return { queued: batch?.events ?? 0, rejected, deliveries }
  }

  /** Takes `count` events from the source and sends them. */
  burst(source: StreamSource, count: number): Promise<BurstResult> {
    return this.send(source.next(count))
  }
}
