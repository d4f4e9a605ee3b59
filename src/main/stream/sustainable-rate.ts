/** One finished refresh: how many streamed events it read and how long it took, end to end. */
export interface RunSample {
  events: number
  durationMs: number
}

/** The refresh cycle (a run plus its debounce) a sustainable rate keeps under: the freshness a presenter can live with. */
export const SUSTAINABLE_CYCLE_MS = 30_000

/**
 * The continuous rate (events/s) the refresh loop keeps up with, from recent runs. A run costs about
 * `fixedMs + perEventMs * events` (a least-squares line through the samples); at rate r the loop runs
 * back to back with `events = r * cycle / 1000`, so a cycle stays under `cycleMs` while
 * r <= (cycleMs - fixedMs - debounceMs) * 1000 / (perEventMs * cycleMs). When the samples cannot
 * separate the two costs, the best throughput seen is the answer: a floor, never an over-statement.
 * Undefined until a run read events.
 */
export function sustainableRate(samples: readonly RunSample[], options: { debounceMs: number; cycleMs?: number }): number | undefined {
  const cycleMs = options.cycleMs ?? SUSTAINABLE_CYCLE_MS
  const useful = samples.filter((sample) => sample.events > 0 && sample.durationMs > 0)
  if (useful.length === 0) return undefined
  const fit = fitCost(useful)
  const rate = fit
    ? (Math.max(0, cycleMs - fit.fixedMs - options.debounceMs) * 1000) / (fit.perEventMs * cycleMs)
    : Math.max(...useful.map((sample) => (sample.events * 1000) / sample.durationMs))
  return roundDown(rate)
}

/** A run's fixed cost and cost per event (least squares), or undefined when the samples cannot tell them apart. */
export function fitCost(samples: readonly RunSample[]): { fixedMs: number; perEventMs: number } | undefined {
  const n = samples.length
  if (n < 2) return undefined
  const meanEvents = samples.reduce((sum, sample) => sum + sample.events, 0) / n
  const meanMs = samples.reduce((sum, sample) => sum + sample.durationMs, 0) / n
  const spread = samples.reduce((sum, sample) => sum + (sample.events - meanEvents) ** 2, 0)
  if (spread === 0) return undefined
  const slope = samples.reduce((sum, sample) => sum + (sample.events - meanEvents) * (sample.durationMs - meanMs), 0) / spread
  const intercept = meanMs - slope * meanEvents
  // Noise can tilt the line: a run never gets cheaper with more events, nor costs less than nothing.
  return slope > 0 && intercept >= 0 ? { fixedMs: intercept, perEventMs: slope } : undefined
}

/** Whole events/s from 1 up, one decimal below: rounded down, so the offer is never above what was measured. */
function roundDown(rate: number): number {
  return rate >= 1 ? Math.floor(rate) : Math.floor(rate * 10) / 10
}
