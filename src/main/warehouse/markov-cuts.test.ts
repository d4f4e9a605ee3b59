import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DashboardFilters } from '@shared/api'
import { DUCKDB_DIALECT, cutOrderCuts, runMart, transitionsWithCutOrderSql } from './duckdb-queries'
import { markovTransitionsQuery } from './mart-sql'
import { MODEL_SCHEMA } from './duckdb-schema'

// The data-driven model's non-converting journey of a user follows the chosen events: it starts
// after their latest conversion of those events, and events that were not chosen never cut it.
// One user, u1: sessions Email (t=10), Referral (t=200), Direct (t=400); a purchase at t=100 and an
// add_to_cart at t=300. The mart holds u1's journey after each event and the one of all sessions.
const JOURNEYS: Record<string, string[]> = {
  // cut_event_name -> the channels of the journey after that event's last conversion
  purchase: ['Referral', 'Direct'],
  add_to_cart: ['Direct'],
  '': ['Email', 'Referral', 'Direct'],
}

/** Steps of a journey as the mart stores them at every lookback: (start) -> c1 -> ... -> (null). */
function steps(channels: string[]): Array<[string, string]> {
  const states = ['(start)', ...channels, '(null)']
  return states.slice(1).map((state, index) => [states[index] as string, state])
}

describe('Markov transitions for a choice of events', () => {
  let instance: DuckDBInstance

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:')
    const c = await instance.connect()
    await c.run(`create schema ${MODEL_SCHEMA}`)
    await c.run(`create table ${MODEL_SCHEMA}.agg_channel_transitions (user_key varchar, journey_date date, conversion_event_name varchar,
      cut_event_name varchar, min_lookback_days integer, max_lookback_days integer, from_state varchar, to_state varchar, transitions bigint, stream_id varchar)`)
    await c.run(
      `create table ${MODEL_SCHEMA}.agg_user_last_conversions (user_key varchar, conversion_event_name varchar, last_converted_micros bigint)`,
    )
    for (const [cut, channels] of Object.entries(JOURNEYS)) {
      for (const [from, to] of steps(channels)) {
        await c.run(
          `insert into ${MODEL_SCHEMA}.agg_channel_transitions values ('u1', date '2021-01-10', null, $cut, 1, 90, $from, $to, 1, 'web')`,
          {
            cut: cut === '' ? null : cut,
            from,
            to,
          },
        )
      }
    }
    await c.run(`insert into ${MODEL_SCHEMA}.agg_user_last_conversions values ('u1', 'purchase', 100), ('u1', 'add_to_cart', 300)`)
    c.closeSync()
  })
  afterAll(() => instance?.closeSync())

  /** The marts' cuts per user, and the serving copy's per cut order, must agree. */
  const transitions = async (events: string[]) => {
    const c = await instance.connect()
    try {
      const filters: DashboardFilters = { lookbackDays: 14, conversionEvents: events }
      const perUser = await runMart(c, markovTransitionsQuery(DUCKDB_DIALECT, filters))
      const withOrders = transitionsWithCutOrderSql(`${MODEL_SCHEMA}.agg_channel_transitions`, `${MODEL_SCHEMA}.agg_user_last_conversions`)
      const perOrder = await runMart(c, markovTransitionsQuery(DUCKDB_DIALECT, filters, withOrders, cutOrderCuts(withOrders)))
      expect(perOrder).toEqual(perUser)
      return perUser.map(({ from, to }) => [from, to])
    } finally {
      c.closeSync()
    }
  }
  const sorted = (pairs: Array<[string, string]>) => [...pairs].sort((a, b) => (a.join() < b.join() ? -1 : 1))

  it('starts after the last purchase when only purchase is chosen: add_to_cart does not cut it', async () => {
    expect(await transitions(['purchase'])).toEqual(sorted(steps(JOURNEYS.purchase as string[])))
  })

  it('starts after the latest of the chosen events', async () => {
    expect(await transitions(['purchase', 'add_to_cart'])).toEqual(sorted(steps(JOURNEYS.add_to_cart as string[])))
  })

  it('is every session for a user with no conversion of the chosen events', async () => {
    expect(await transitions(['generate_lead'])).toEqual(sorted(steps(JOURNEYS[''] as string[])))
  })
})
