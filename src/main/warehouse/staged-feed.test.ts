import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stagedFeedSql } from './duckdb-queries'

// The feed's query finds the newest timestamps first and reads the rest only at or after the last of
// them. It must return exactly the rows of the plain "order by timestamp, key; limit" it replaced,
// ties at the cut-off included, on tables smaller and larger than the limit.
const PLAIN = (staging: string) => stagedFeedSql(staging).replace(/\n\s*where event_timestamp_micros >= \([\s\S]*?\)\)/, '')

describe('the feed of the newest staged events', () => {
  let instance: DuckDBInstance
  let connection: DuckDBConnection

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:')
    connection = await instance.connect()
    // 5,000 rows over only 40 distinct timestamps: every limit below cuts through a run of ties.
    await connection.run(`create table staging as
      select hash(i) as event_key, if(i % 3 = 0, 'id-' || i, null) as event_id,
        1700000000000000 + (hash(i * 7) % 40) * 1000000 as event_timestamp_micros,
        'page_view' as event_name, i % 5 <> 0 as has_user_pseudo_id,
        if(i % 2 = 0, 's1', null) as stream_id, if(i % 2 = 0, 's1/u' || i, 'u' || i) as user_key,
        'google' as source, 'cpc' as medium, null::double as purchase_revenue_in_usd,
        if(i % 11 = 0, i / 7, null)::double as event_value_in_usd, i % 4 = 0 as is_intraday
      from range(5000) as t(i)`)
    await connection.run('create table empty_staging as select * from staging limit 0')
  })

  afterAll(() => {
    connection.closeSync()
    instance.closeSync()
  })

  it('drops only the plain query, not its order or limit', () => {
    expect(PLAIN('staging')).not.toContain('where')
    expect(PLAIN('staging')).toContain('order by event_timestamp_micros desc, event_key')
  })

  it.each([1, 7, 500, 4999, 5000, 6000])('returns the plain query rows in order at limit %i', async (limit) => {
    const rows = async (sql: string) => (await connection.runAndReadAll(sql, { limit })).getRows().map((row) => row.map(String))
    const feed = await rows(stagedFeedSql('staging'))
    expect(feed).toEqual(await rows(PLAIN('staging')))
    expect(feed.length).toBe(Math.min(limit, 5000))
  })

  it('is empty on empty staging', async () => {
    const reader = await connection.runAndReadAll(stagedFeedSql('empty_staging'), { limit: 500 })
    expect(reader.getRows()).toEqual([])
  })
})
