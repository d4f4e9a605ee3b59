import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Ga4Event } from '@shared/ga4-event'
import { dbtProjectDir } from '../paths'
import { Outbox } from '../stream/outbox'
import { StreamSource } from '../stream/stream-source'
import { makeTempDir } from '../testing/fixtures'
import { FIRST_EVENT_DATE, FUTURE_EVENT_DAYS, MAX_AMOUNT_USD } from './event-bounds'

const MICROS_PER_DAY = 86_400_000_000

/** The value a one-line dbt macro of usable_events.sql returns. */
function dbtBound(macros: string, name: string): string {
  const match = new RegExp(`macro ${name}\\(\\)[^%]*%\\}\\s*\\{\\{ return\\(([^)]*)\\) \\}\\}`).exec(macros)
  if (!match?.[1]) throw new Error(`no macro ${name} in usable_events.sql`)
  return match[1].replace(/'/g, '')
}

describe('the bounds of a storable event', () => {
  it('are the same in the importer and streamer as in dbt staging', () => {
    const macros = readFileSync(join(dbtProjectDir(), 'macros', 'ga4', 'usable_events.sql'), 'utf8')
    expect(Number(dbtBound(macros, 'max_amount_usd'))).toBe(MAX_AMOUNT_USD)
    expect(dbtBound(macros, 'first_event_date')).toBe(FIRST_EVENT_DATE)
    expect(Number(dbtBound(macros, 'future_event_days'))).toBe(FUTURE_EVENT_DAYS)
  })

  it('keep streamed events outside them in rejected/ with the reason, never pending', () => {
    const temp = makeTempDir('stream-bounds')
    try {
      const outbox = new Outbox(join(temp.dir, 'w.duckdb.outbox'))
      const [good] = new StreamSource({ seed: 5 }).next(1) as [Ga4Event]
      const dateOf = (micros: number) => new Date(micros / 1000).toISOString().slice(0, 10).replace(/-/g, '')
      const year3000 = Date.UTC(3000, 0, 1) * 1000
      const cases: Array<[Ga4Event, string]> = [
        [{ ...good, event_timestamp: year3000, event_date: dateOf(year3000) }, 'event_timestamp is outside 2015-01-01 .. '],
        [{ ...good, event_timestamp: Math.floor(good.event_timestamp / 1000) }, 'event_timestamp is outside 2015-01-01 .. '],
        [{ ...good, event_timestamp: 1_000_000, event_date: '19700101' }, 'event_timestamp is outside 2015-01-01 .. '],
        [
          { ...good, event_date: dateOf(good.event_timestamp - 3 * MICROS_PER_DAY) },
          "event_date is more than a day from event_timestamp's date",
        ],
        [
          { ...good, event_name: 'purchase', ecommerce: { ...good.ecommerce, purchase_revenue_in_usd: 1e17 } } as Ga4Event,
          'ecommerce.purchase_revenue_in_usd is beyond 1e+12 USD',
        ],
        [
          { ...good, event_name: 'purchase', ecommerce: { ...good.ecommerce, purchase_revenue_in_usd: -5 } } as Ga4Event,
          "ecommerce.purchase_revenue_in_usd is negative, which only a refund's may be",
        ],
        [{ ...good, event_value_in_usd: 9.5e15 }, 'event_value_in_usd is beyond 1e+12 USD'],
      ]
      const result = outbox.enqueue(cases.map(([event]) => event))
      expect(result.batch).toBeUndefined()
      expect(result.rejected.map((entry) => entry.reason.replace(/ \.\. \d{4}-\d{2}-\d{2}.*$/, ' .. '))).toEqual(
        cases.map(([, reason]) => reason),
      )
      expect(outbox.pending()).toEqual([])
      const refund = {
        ...good,
        event_name: 'refund',
        ecommerce: { ...good.ecommerce, purchase_revenue_in_usd: -MAX_AMOUNT_USD },
      } as Ga4Event
      expect(outbox.enqueue([refund]).rejected).toEqual([])
    } finally {
      temp.cleanup()
    }
  })
})
