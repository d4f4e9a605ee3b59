import { describe, expect, it } from 'vitest'
import { PATHS } from '@renderer/testing/test-rows'
import { EMPTY_PATH_LABEL, creditText, creditWidths, matchingText, otherPathsText, pageText, pathSteps, pathText, pathsCsv } from './paths'

describe('pathSteps', () => {
  it('merges sessions in a row through one channel, keeping the order', () => {
    expect(pathSteps(['email', 'direct', 'direct', 'direct'])).toEqual([
      { channel: 'email', count: 1 },
      { channel: 'direct', count: 3 },
    ])
    expect(pathSteps(['direct', 'email', 'direct'])).toEqual([
      { channel: 'direct', count: 1 },
      { channel: 'email', count: 1 },
      { channel: 'direct', count: 1 },
    ])
    expect(pathSteps([])).toEqual([])
  })
})

describe('pathText', () => {
  it('spells out every session, and names the empty path', () => {
    expect(pathText(['email', 'direct', 'direct'])).toBe('email > direct > direct')
    expect(pathText([])).toBe(EMPTY_PATH_LABEL)
  })
})

describe('creditWidths', () => {
  it('turns position-based shares of a four-session path into 40 / 20 / 40 percent of the bar', () => {
    expect(creditWidths(PATHS.paths[0]!.credit)).toEqual({ early: 40, middle: 20, late: 40 })
    expect(creditText({ early: 40, middle: 20, late: 40 })).toBe('early 40.0% · middle 20.0% · late 40.0%')
  })

  it('fills the bar with late credit for a one-session path', () => {
    expect(creditWidths(PATHS.paths[1]!.credit)).toEqual({ early: 0, middle: 0, late: 100 })
  })

  it('fills exactly 100% when rounded shares miss 1 by a hair', () => {
    // Linear over three sessions: 0.333333 each, 0.999999 in all.
    const widths = creditWidths({ early: 0.333333, middle: 0.333333, late: 0.333333 })
    expect(widths?.early).toBeCloseTo(100 / 3, 9)
    expect((widths?.early ?? 0) + (widths?.middle ?? 0) + (widths?.late ?? 0)).toBeCloseTo(100, 9)
  })

  it('draws no bar for data-driven credit or a path with no touch to credit', () => {
    expect(creditWidths(null)).toBeNull()
    expect(creditWidths(PATHS.paths[2]!.credit)).toBeNull()
  })
})

describe('otherPathsText', () => {
  it('says how many paths there are and what the unlisted ones hold', () => {
    // 5 paths, 3 listed: the other 2 hold 2 of 12 conversions and $40.00.
    expect(otherPathsText(PATHS)).toBe(
      '5 distinct paths: the top 3 are listed; the other 2 paths hold 2 conversions (16.7% of all) and $40.00.',
    )
  })

  it('says when every path is listed', () => {
    expect(otherPathsText({ ...PATHS, total_paths: 3, other: { conversions: 0, revenue_usd: '0.00' } })).toBe(
      'All 3 distinct paths are listed.',
    )
    expect(otherPathsText({ ...PATHS, paths: PATHS.paths.slice(0, 1), total_paths: 1 })).toBe('The only path is listed.')
  })
})

describe('pathsCsv', () => {
  it('lists every path with its figures, then the unlisted paths as one row, adding up to the totals', () => {
    const lines = pathsCsv(PATHS).split('\r\n')
    expect(lines).toEqual([
      'path,conversions,revenue_usd,avg_touches,avg_days_to_conversion,early_credit_share,middle_credit_share,late_credit_share',
      'email > direct > direct > direct,6,300.00,4,3.5,0.4,0.2,0.4',
      'direct,3,90.00,1,0,0,0,1',
      `${EMPTY_PATH_LABEL},1,25.00,0,0,0,0,0`,
      '(2 other paths),2,40.00,,,,,',
      '',
    ])
    const conversions = lines.slice(1, -1).map((line) => Number(line.split(',')[1]))
    expect(conversions.reduce((sum, value) => sum + value, 0)).toBe(PATHS.totals.conversions)
  })

  it('leaves the credit shares empty for data-driven', () => {
    const dataDriven = { ...PATHS, model: 'data_driven' as const, paths: [{ ...PATHS.paths[1]!, credit: null }], total_paths: 1 }
    expect(pathsCsv(dataDriven).split('\r\n')[1]).toBe('direct,3,90.00,1,0,,,')
  })
})

describe('pageText and matchingText', () => {
  it('say which matching paths the page shows, and what a filter lets through', () => {
    expect(pageText(PATHS)).toBe('Paths 1–3 of 5')
    expect(matchingText(PATHS)).toBeUndefined()
    const filtered = { ...PATHS, offset: 20, matching: { paths: 23, conversions: 3, revenue_usd: '100.00' }, total_paths: 40 }
    expect(pageText(filtered)).toBe('Paths 21–23 of 23 matching')
    expect(matchingText(filtered)).toBe('23 of 40 paths match: 3 conversions (25.0% of all conversions) and $100.00.')
    expect(pageText({ ...filtered, paths: [], matching: { paths: 0, conversions: 0, revenue_usd: '0.00' } })).toBe(
      'No path matches the filter.',
    )
    expect(otherPathsText({ ...PATHS, offset: 20, total_paths: 30 })).toBe(
      '30 distinct paths: 3 are listed; the other 27 paths hold 2 conversions (16.7% of all) and $40.00.',
    )
  })
})
