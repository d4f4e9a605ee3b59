import { describe, expect, it } from 'vitest'
import { contextLine, exportFileName, withCsvMetadata } from './export-context'
import { toCsv } from '@shared/csv'

const CHANNELS = {
  view: 'channels',
  model: 'last_click',
  lookbackDays: 14,
  conversionEvents: ['purchase', 'add_to_cart'],
  fromDate: '2021-01-01',
  toDate: '2021-01-19',
  drillDown: 'Paid Search > campaign',
}

describe('exportFileName', () => {
  it('names the model, lookback, events, dates and drill-down', () => {
    expect(exportFileName('channels', CHANNELS, 'csv', '2026-12-02')).toBe(
      'channels_last-click_14d_purchase+add-to-cart_2021-01-01-to-2021-01-19_paid-search-campaign_2026-12-02.csv',
    )
  })

  it('leaves out what does not apply', () => {
    expect(exportFileName('live-feed', { view: 'feed' }, 'csv', '2026-12-02')).toBe('live-feed_2026-12-02.csv')
    expect(exportFileName('trends', { view: 'trends', lookbackDays: 30, conversionEvents: ['purchase'] }, 'png', '2026-12-02')).toBe(
      'trends_30d_purchase_2026-12-02.png',
    )
  })
})

describe('withCsvMetadata', () => {
  it('puts "# name: value" lines above the header row', () => {
    const csv = toCsv(
      [{ channel: 'Direct', conversions: 3 }],
      [
        { header: 'channel', value: (row) => row.channel },
        { header: 'conversions', value: (row) => row.conversions },
      ],
    )
    const lines = withCsvMetadata(csv, CHANNELS, '2026-12-02T10:00:00.000Z').split('\r\n')
    expect(lines).toEqual([
      '# view: channels',
      '# model: last_click',
      '# lookback_days: 14',
      '# conversion_events: purchase add_to_cart',
      '# dates: 2021-01-01 to 2021-01-19',
      '# drill_down: Paid Search > campaign',
      '# exported_at: 2026-12-02T10:00:00.000Z',
      'channel,conversions',
      'Direct,3',
      '',
    ])
  })

  it('writes the data\'s actual end date for an open end, never "latest"', () => {
    const open = { view: 'channels', lookbackDays: 14, fromDate: '2021-01-05', dataFromDate: '2020-11-01', dataToDate: '2021-01-31' }
    expect(withCsvMetadata('a\r\n', open, 'now')).toContain('# dates: 2021-01-05 to 2021-01-31\r\n')
    expect(withCsvMetadata('a\r\n', { view: 'x', lookbackDays: 7, dataFromDate: '2020-11-01', dataToDate: '2021-01-31' }, 'now')).toContain(
      '# dates: 2020-11-01 to 2021-01-31\r\n',
    )
    expect(exportFileName('channels', open, 'csv', '2026-12-02')).toBe('channels_14d_2021-01-05-to-2021-01-31_2026-12-02.csv')
  })

  it('says "all dates" without a range, and keeps a value on its line', () => {
    const text = withCsvMetadata('a\r\n', { view: 'x', lookbackDays: 7, drillDown: 'one\ntwo' }, 'now')
    expect(text).toContain('# dates: all dates\r\n')
    expect(text).toContain('# drill_down: one two\r\n')
  })
})

describe('contextLine', () => {
  it('says what the picture shows in one line', () => {
    expect(contextLine(CHANNELS)).toBe(
      'Last click · 14-day lookback · purchase, add_to_cart · 2021-01-01 to 2021-01-19 · Paid Search > campaign',
    )
    expect(contextLine({ view: 'compare', model: 'first_click, last_click', lookbackDays: 14, conversionEvents: ['purchase'] })).toBe(
      'First click vs Last click · 14-day lookback · purchase · all dates',
    )
    expect(contextLine({ view: 'models', model: 'first_click, linear, data_driven' })).toBe('First click, Linear, Data-driven')
    expect(contextLine({ view: 'models', model: 'all models' })).toBe('all models')
    expect(exportFileName('paths', { view: 'paths', model: 'position_based' }, 'csv', '2026-12-02')).toBe(
      'paths_position-based_2026-12-02.csv',
    )
  })
})
