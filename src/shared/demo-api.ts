/**
 * The demo sandbox's channels, merged into `ApiChannels`: streaming on a warehouse with imported
 * exports runs in a copy beside it, never in the analyst's data (DECISIONLOG "Demo streaming runs in a sandbox").
 */
import type { Result } from './attribution'

/** A demo sandbox: a copy of a warehouse, models included, that demo events are streamed into. */
export interface DemoSandboxInfo {
  /** The sandbox's DuckDB file (in `<warehouse>.demo/`). */
  location: string
  /** The real warehouse it copies, and its file name for the header ("Demo copy of <name>"). */
  sourceLocation: string
  sourceName: string
  createdAt: string
  /** Raw events copied. */
  events: number
  /** How long the copy took (not the build of its models). */
  copyMs: number
  /** BigQuery only: the demo marts dataset (`project.<marts>_demo`) the views read in the demo. */
  martsLocation?: string
  /** BigQuery only: how many of the export's day tables were copied. */
  dayShards?: number
}

/** Where the embedded views and "Stream events" point: the real warehouse or its demo sandbox. */
export interface DemoStatus {
  /** True while the views and streaming use the sandbox. */
  isActive: boolean
  /** The sandbox, when one exists (active or not). */
  sandbox: DemoSandboxInfo | null
  /** True while the sandbox is being copied and its models built. */
  isPreparing: boolean
  /** What the preparation does now ("Copying x.duckdb"). */
  preparingMessage: string | null
  /** Why the last preparation failed, or null. */
  error: string | null
}

/** Request/response channels of the demo sandbox. */
export interface DemoChannels {
  'demo:status': (request: Record<string, never>) => Promise<Result<DemoStatus>>
  /** Makes the sandbox when there is none (copy and build), then shows it. */
  'demo:enter': (request: Record<string, never>) => Promise<Result<DemoStatus>>
  /** Back to the real warehouse; the sandbox is kept. */
  'demo:leave': (request: Record<string, never>) => Promise<Result<DemoStatus>>
  /** Back to the real warehouse and the sandbox deleted. */
  'demo:remove': (request: Record<string, never>) => Promise<Result<DemoStatus>>
}

/** Every demo channel, once (see API_CHANNEL_KEYS). */
export const DEMO_CHANNEL_KEYS: { readonly [K in keyof DemoChannels]: true } = {
  'demo:status': true,
  'demo:enter': true,
  'demo:leave': true,
  'demo:remove': true,
}
