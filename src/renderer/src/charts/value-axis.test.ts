import { describe, expect, it } from 'vitest'
import { USD_CENTS_AXIS_BELOW, extentOf, valueAxisScale } from './value-axis'

/** The labels an axis would print at these ticks. */
const labels = (scale: ReturnType<typeof valueAxisScale>, ticks: number[]) => ticks.map(scale.formatter)

describe('valueAxisScale', () => {
  it('draws one flat zero line when every value is 0', () => {
    for (const metric of ['conversions', 'revenue'] as const) {
      const scale = valueAxisScale(metric, 0)
      expect(scale).toMatchObject({ min: 0, max: 1, interval: 1 })
      expect(labels(scale, [0, 1]).filter(Boolean)).toHaveLength(1)
    }
  })

  it('shows cents for revenue below a few dollars, so no two ticks read the same', () => {
    const scale = valueAxisScale('revenue', 1.2)
    const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2]
    expect(scale.minInterval).toBe(0.01)
    expect(new Set(labels(scale, ticks)).size).toBe(ticks.length)
    expect(scale.formatter(0.2)).toBe('$0.20')
  })

  it('ticks whole dollars and compact thousands above a few dollars, and whole conversions', () => {
    const dollars = valueAxisScale('revenue', USD_CENTS_AXIS_BELOW * 400)
    expect(dollars.minInterval).toBe(1)
    expect(labels(dollars, [0, 500, 1500])).toEqual(['$0', '$500', '$1.5k'])
    const counts = valueAxisScale('conversions', 2)
    expect(counts.minInterval).toBe(1)
    expect(labels(counts, [0, 1, 2])).toEqual(['0', '1', '2'])
  })
})

describe('extentOf', () => {
  it('is the largest distance from zero, ignoring non-numbers', () => {
    expect(extentOf([1, -3, 2, Number.NaN])).toBe(3)
    expect(extentOf([])).toBe(0)
  })
})
