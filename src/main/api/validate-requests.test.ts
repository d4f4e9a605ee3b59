import { describe, expect, it } from 'vitest'
import { MAX_LABEL_LENGTH, REPORT_GROUPINGS, dateProblem, isCalendarDate, validateReportRequest } from '@shared/attribution'
import {
  validateBreakdownRequest,
  validateBurstRequest,
  validateDashboardFilters,
  validateModelComparisonRequest,
  validatePathsRequest,
  validatePeriodComparisonRequest,
  validateTrendsRequest,
} from './validate-requests'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase'] }

describe('dates in requests', () => {
  it('accepts real calendar dates only', () => {
    for (const date of ['2026-02-28', '2024-02-29', '2026-12-31', '2000-02-29']) expect(isCalendarDate(date), date).toBe(true)
    for (const date of ['2026-02-31', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '1900-02-29', '2026-1-01', '20260101', ''])
      expect(isCalendarDate(date), date).toBe(false)
  })

  it('names the field of an impossible date, with no SQL in the message', () => {
    for (const [field, date] of [
      ['fromDate', '2026-02-31'],
      ['toDate', '2026-13-01'],
    ] as const) {
      for (const result of [
        validateDashboardFilters({ ...FILTERS, [field]: date }),
        validateTrendsRequest({ ...FILTERS, [field]: date, days: 30, byChannel: false }),
      ]) {
        expect(result.ok).toBe(false)
        const error = result.ok ? '' : result.error
        expect(error).toBe(`${field} must be a real calendar date, got "${date}": that day does not exist.`)
        expect(error).not.toMatch(/select|cast|conversion error|binder/i)
      }
    }
    expect(validateBreakdownRequest({ ...FILTERS, model: 'last_click', by: 'channel', toDate: 'tomorrow' })).toEqual({
      ok: false,
      error: 'toDate must be a date written YYYY-MM-DD, got "tomorrow".',
    })
    expect(dateProblem('--end-date', 42)).toBe('--end-date must be a date written YYYY-MM-DD, got number.')
  })

  it('says once that a reversed range is reversed, naming both ends', () => {
    const result = validateDashboardFilters({ ...FILTERS, fromDate: '2026-03-10', toDate: '2026-03-01' })
    expect(result).toEqual({ ok: false, error: 'fromDate (2026-03-10) is after toDate (2026-03-01): the range is reversed.' })
    expect(
      validateReportRequest({ ...FILTERS, model: 'first_click', by: 'channel', fromDate: '2026-03-01', toDate: '2026-03-01' }).ok,
    ).toBe(true)
  })
})

describe('stream burst requests', () => {
  it('accepts a burst with or without a known mode, and names the modes when one is unknown', () => {
    expect(validateBurstRequest({ count: 10 })).toStrictEqual({ ok: true, value: { count: 10 } })
    expect(validateBurstRequest({ count: 10, mode: 'demo' })).toStrictEqual({ ok: true, value: { count: 10, mode: 'demo' } })
    expect(validateBurstRequest({ count: 5, mode: 'realistic' })).toStrictEqual({ ok: true, value: { count: 5, mode: 'realistic' } })
    expect(validateBurstRequest({ count: 10, mode: 'Demo' })).toEqual({ ok: false, error: "mode must be one of 'realistic', 'demo'." })
    expect(validateBurstRequest({ count: 10, mode: null })).toMatchObject({ ok: false })
    expect(validateBurstRequest({ count: 4, mode: 'demo' })).toMatchObject({ ok: false })
  })
})

describe('the depth of the analyst views (dimension, page, order, filter, earlier period)', () => {
  const PATHS = { ...FILTERS, model: 'linear', limit: 20 }

  it('takes a known dimension for the model comparison and names the dimensions otherwise', () => {
    expect(validateModelComparisonRequest({ ...FILTERS, by: 'medium' })).toEqual({ ok: true, value: { ...FILTERS, by: 'medium' } })
    expect(validateModelComparisonRequest(FILTERS)).toEqual({ ok: true, value: FILTERS })
    expect(validateModelComparisonRequest({ ...FILTERS, by: 'country' })).toEqual({
      ok: false,
      error: `Unknown dimension: use one of ${REPORT_GROUPINGS.join(', ')}.`,
    })
  })

  it('takes a page, an order and a filter of paths, dropping empty filter values', () => {
    const request = {
      ...PATHS,
      offset: 40,
      by: 'source',
      sort: { column: 'days', direction: 'asc' },
      filter: { contains: 'google', endsWith: '', minLength: 2 },
    }
    expect(validatePathsRequest(request)).toEqual({ ok: true, value: { ...request, filter: { contains: 'google', minLength: 2 } } })
    expect(validatePathsRequest({ ...PATHS, filter: { contains: '' } })).toEqual({ ok: true, value: PATHS })
  })

  it('refuses a negative page, an unknown order, an overlong value and a reversed length range, saying what is allowed', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ offset: -1 }, /offset must be a whole number/],
      [
        { sort: { column: 'sessions; drop table x', direction: 'asc' } },
        /sort must name a column \(path, conversions, revenue, touches, days\)/,
      ],
      [{ sort: { column: 'path', direction: 'up' } }, /direction \(asc or desc\)/],
      [{ filter: { contains: 'x'.repeat(MAX_LABEL_LENGTH + 1) } }, /filter.contains must be a value of at most/],
      [{ filter: { minLength: 4, maxLength: 2 } }, /shortest path length \(4\) is above the longest \(2\)/],
      [{ filter: { maxLength: 2.5 } }, /filter.maxLength must be a whole number/],
    ]
    for (const [extra, message] of cases) {
      const result = validatePathsRequest({ ...PATHS, ...extra })
      expect(result.ok, JSON.stringify(extra)).toBe(false)
      expect(result.ok ? '' : result.error).toMatch(message)
    }
  })

  it('takes both dates of an earlier period or neither, in order', () => {
    const period = { ...FILTERS, compareFromDate: '2026-09-01', compareToDate: '2026-09-30' }
    expect(validatePeriodComparisonRequest(period)).toEqual({ ok: true, value: period })
    expect(validatePeriodComparisonRequest(FILTERS)).toEqual({ ok: true, value: FILTERS })
    expect(validatePeriodComparisonRequest({ ...FILTERS, compareFromDate: '2026-09-01' })).toEqual({
      ok: false,
      error: 'compareToDate must be a date written YYYY-MM-DD, got undefined.',
    })
    expect(validatePeriodComparisonRequest({ ...period, compareFromDate: '2026-10-01' })).toEqual({
      ok: false,
      error: 'compareFromDate (2026-10-01) is after compareToDate (2026-09-30): the range is reversed.',
    })
  })
})
