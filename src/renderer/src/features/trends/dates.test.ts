import { describe, expect, it } from 'vitest'
import { datesBetween } from './dates'

describe('datesBetween', () => {
  it('lists every day inclusive, across month ends', () => {
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
  })
  it('returns one day for equal ends and none for a reversed or bad range', () => {
    expect(datesBetween('2026-11-01', '2026-11-01')).toEqual(['2026-11-01'])
    expect(datesBetween('2026-11-02', '2026-11-01')).toEqual([])
    expect(datesBetween('nope', '2026-11-01')).toEqual([])
  })
})
