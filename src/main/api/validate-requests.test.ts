import { describe, expect, it } from 'vitest'
import { dateProblem, isCalendarDate, validateReportRequest } from '../../shared/attribution'
import { validateBreakdownRequest, validateBurstRequest, validateDashboardFilters, validateTrendsRequest } from './validate-requests'

const FILTERS = { lookbackDays: 14, conversionEvents: ['purchase'] }

describe('dates in requests', () => {
  it('accepts real calendar dates only', () => {
    for (const date of ['2026-02-28', '2024-02-29', '2026-12-31', '2000-02-29']) expect(isCalendarDate(date), date).toBe(true)
    for (const date of ['2026-02-31', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '1900-02-29', '2026-1-01', '20260101', '']) expect(isCalendarDate(date), date).toBe(false)
  })

  it('names the field of an impossible date, with no SQL in the message', () => {
    for (const [field, date] of [
      ['fromDate', '2026-02-31'],
      ['toDate', '2026-13-01'],
    ] as const) {
      for (const result of [validateDashboardFilters({ ...FILTERS, [field]: date }), validateTrendsRequest({ ...FILTERS, [field]: date, days: 30, byChannel: false })]) {
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
    expect(validateReportRequest({ ...FILTERS, model: 'first_click', by: 'channel', fromDate: '2026-03-01', toDate: '2026-03-01' }).ok).toBe(true)
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
