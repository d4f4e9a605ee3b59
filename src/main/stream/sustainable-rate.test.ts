import { describe, expect, it } from 'vitest'
import { fitCost, sustainableRate } from './sustainable-rate'

/** Runs of a loop whose cost is `fixedMs + perEventMs * events`, exactly. */
function runs(fixedMs: number, perEventMs: number, sizes: number[]) {
  return sizes.map((events) => ({ events, durationMs: fixedMs + perEventMs * events }))
}

describe('sustainableRate', () => {
  it('is unknown before a run read events', () => {
    expect(sustainableRate([], { debounceMs: 300 })).toBeUndefined()
    expect(sustainableRate([{ events: 0, durationMs: 2_000 }], { debounceMs: 300 })).toBeUndefined()
  })

  it('recovers the fixed and per-event cost and keeps a cycle under the target at that rate', () => {
    const samples = runs(2_000, 0.5, [10, 200, 1_000, 5_000])
    expect(fitCost(samples)).toEqual({ fixedMs: 2_000, perEventMs: 0.5 })
    const rate = sustainableRate(samples, { debounceMs: 300, cycleMs: 30_000 })!
    // At that rate a cycle's events cost what is left of the cycle.
    const cycleEvents = (rate * 30_000) / 1_000
    expect(2_000 + 0.5 * cycleEvents + 300).toBeLessThanOrEqual(30_000)
    expect(2_000 + (0.5 * ((rate + 1) * 30_000)) / 1_000 + 300).toBeGreaterThan(30_000)
  })

  it('falls back to the best throughput seen when runs are all one size, never more', () => {
    expect(sustainableRate([{ events: 100, durationMs: 2_000 }], { debounceMs: 300 })).toBe(50)
    expect(sustainableRate(runs(1_000, 1, [100, 100]), { debounceMs: 300 })).toBe(90)
  })

  it('offers nothing when the fixed cost alone fills the cycle', () => {
    expect(sustainableRate(runs(40_000, 1, [10, 1_000]), { debounceMs: 300, cycleMs: 30_000 })).toBe(0)
  })
})
