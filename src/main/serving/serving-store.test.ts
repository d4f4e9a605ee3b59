import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeedEvent } from '@shared/api'
import { RULE_BASED_MODELS } from '@shared/attribution'
import { GA4_FIXTURES, hasGa4Fixtures, makeTempDir } from '../testing/fixtures'
import { withDuckDbFile } from '../warehouse/duckdb-file'
import { FEED_LOOKBACK_DAYS } from '../warehouse/duckdb-queries'
import { EmbeddedWarehouse, assertDbtSucceeded } from '../warehouse/embedded-warehouse'
import { ServingStore } from './serving-store'
import { generateSampleData } from '../services/sample-data'

/** Every conversion's credited channels at the feed's lookback, straight from the mart. */
async function creditedChannels(path: string): Promise<Map<string, { first: string; last: string }>> {
  return withDuckDbFile(path, { readOnly: true }, async ({ connection }) => {
    const reader = await connection.runAndReadAll(`
      select conversion_id,
        max(channel) filter (where attribution_model = 'first_click') as first_channel,
        max(channel) filter (where attribution_model = 'last_click') as last_channel
      from attribution.fct_attribution_credits
      where ${FEED_LOOKBACK_DAYS} between min_lookback_days and max_lookback_days
      group by conversion_id`)
    return new Map(
      reader
        .getRowObjectsJson()
        .map((row) => [String(row.conversion_id), { first: String(row.first_channel), last: String(row.last_channel) }]),
    )
  })
}

/** The feed's conversions must carry exactly the mart's channels; other events none. */
function expectFeedCredits(feed: FeedEvent[], credits: Map<string, { first: string; last: string }>): number {
  let conversions = 0
  for (const event of feed) {
    const credit = credits.get(event.event_key)
    if (credit) {
      conversions += 1
      expect({ key: event.event_key, first: event.first_click_channel, last: event.last_click_channel }).toEqual({
        key: event.event_key,
        first: credit.first,
        last: credit.last,
      })
    } else {
      expect([event.first_click_channel, event.last_click_channel], `${event.event_name} ${event.event_key} is no conversion`).toEqual([
        null,
        null,
      ])
    }
  }
  return conversions
}

const SOURCES = [
  {
    name: 'generated sample data',
    skip: false,
    load: (warehouse: EmbeddedWarehouse) => generateSampleData(warehouse, { seed: 8, users: 600, days: 20, endDate: '2026-11-30' }),
  },
  {
    name: 'the shared GA4 fixture',
    skip: !hasGa4Fixtures,
    load: (warehouse: EmbeddedWarehouse) => warehouse.importFiles([GA4_FIXTURES.parquet]),
  },
] as const

describe.each(SOURCES)('the live feed on $name', ({ skip, load }) => {
  const temp = makeTempDir('feed')
  const path = join(temp.dir, 'warehouse.duckdb')
  const warehouse = new EmbeddedWarehouse(path)
  let credits: Map<string, { first: string; last: string }>

  beforeAll(async () => {
    if (skip) return
    await load(warehouse)
    assertDbtSucceeded(await warehouse.build())
    await warehouse.close()
    credits = await creditedChannels(path)
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  it.skipIf(skip)('names the credited channels of every conversion it shows, read from the file (dbt event_key)', async () => {
    const feed = await warehouse.recentEvents(100_000)
    await warehouse.close()
    const conversions = expectFeedCredits(feed, credits)
    // The whole data set fits in this feed: every conversion appears in it, credited.
    expect(conversions).toBe(credits.size)
    expect(conversions).toBeGreaterThan(0)
  })

  it.skipIf(skip)(
    "names them in the app's in-memory copy too, and shows not-yet-modelled streamed events under their event_id",
    async () => {
      const store = await ServingStore.create()
      try {
        await warehouse.exclusive(() => store.refreshFrom(path))
        const feed = await store.recentEvents(500)
        expect(feed.length).toBe(500)
        expectFeedCredits(feed, credits)

        const newest = feed[0]?.event_at ?? '2026-01-01T00:00:00.000Z'
        const later = (Date.parse(newest) + 60_000) * 1000
        const streamed = {
          event_date: '20261201',
          event_timestamp: later,
          event_name: 'page_view',
          user_pseudo_id: 'streamed-user',
          event_params: [
            { key: 'event_id', value: { string_value: 'feed-test-1', int_value: null, float_value: null, double_value: null } },
          ],
        }
        expect(await store.addStreamed([streamed, structuredClone(streamed)])).toEqual({ added: 1, duplicates: 1 })
        const withStreamed = await store.recentEvents(5)
        expect(withStreamed.slice(0, 2).map((event) => [event.event_key, event.delivery])).toEqual([
          ['feed-test-1', 'new'],
          ['feed-test-1', 'duplicate'],
        ])
      } finally {
        store.close()
      }
    },
  )
})

describe("the serving copy's credit rows", () => {
  const temp = makeTempDir('served-credits')
  const path = join(temp.dir, 'warehouse.duckdb')
  const oldLayout = join(temp.dir, 'old-layout.duckdb')
  const warehouse = new EmbeddedWarehouse(path)
  const LEFT_OUT = 'user_key, credited_session_key, credited_ga_session_id'

  beforeAll(async () => {
    await generateSampleData(warehouse, { seed: 5, users: 400, days: 30, endDate: '2026-11-30' })
    assertDbtSucceeded(await warehouse.build({ conversionEvents: ['purchase', 'add_to_cart'] }))
    await warehouse.close()
    // A warehouse built before the splits: fct_attribution_credits is a table of the same rows.
    copyFileSync(path, oldLayout)
    await withDuckDbFile(oldLayout, { readOnly: false }, async ({ connection }) => {
      await connection.run('create table attribution.old_credits as select * from attribution.fct_attribution_credits')
      await connection.run('drop view attribution.fct_attribution_credits')
      await connection.run('drop table attribution.fct_attribution_credit_splits')
      await connection.run('alter table attribution.old_credits rename to fct_attribution_credits')
    })
  })
  afterAll(async () => {
    await warehouse.close()
    temp.cleanup()
  })

  /** Rows of the store's fct_attribution_credits missing from the file's, and the file's missing from the store's. */
  async function differences(store: ServingStore, file: string): Promise<[number, number, number]> {
    const c = store.connection
    await c.run(`attach '${file}' as chk (read_only)`)
    try {
      const count = async (sql: string) => Number((await c.runAndReadAll(sql)).getRows()[0]?.[0])
      // The same columns in the same order on both sides (the copy's view orders them its own way).
      const described = await c.runAndReadAll(`select * exclude (${LEFT_OUT}) from chk.attribution.fct_attribution_credits limit 0`)
      const columns = described.columnNames().join(', ')
      const served = `select ${columns} from attribution.fct_attribution_credits`
      const stored = `select ${columns} from chk.attribution.fct_attribution_credits`
      return [
        await count(`select count(*) from (${served} except all ${stored})`),
        await count(`select count(*) from (${stored} except all ${served})`),
        await count(`select count(*) from (${stored})`),
      ]
    } finally {
      await c.run('detach chk')
    }
  }

  it('are the file view’s rows, from the splits and from a warehouse built before them, in either order', async () => {
    const store = await ServingStore.create()
    try {
      for (const file of [path, oldLayout, path]) {
        await store.refreshFrom(file)
        const [extra, missing, rows] = await differences(store, file)
        expect({ file, extra, missing }).toEqual({ file, extra: 0, missing: 0 })
        expect(rows).toBeGreaterThan(1000)
      }
      // A branch per rule-based model, each found from its columns.
      const perModel = await store.connection.runAndReadAll(
        'select attribution_model, count(*)::integer as n from attribution.fct_attribution_credits group by 1 order by 1',
      )
      expect(perModel.getRowObjectsJson().map((row) => row.attribution_model)).toEqual([...RULE_BASED_MODELS].sort())
    } finally {
      store.close()
    }
  })

  it('are held compressed in a file of their own within the memory limit, and read the same after compaction', async () => {
    const folder = join(temp.dir, 'warehouse.duckdb.serving')
    const store = await ServingStore.create({ directory: folder, memoryLimit: '64MB' })
    try {
      await store.refreshFrom(path)
      await store.compact()
      const c = store.reader()
      const setting = async (name: string) => String((await c.runAndReadAll(`select current_setting('${name}')`)).getRows()[0]?.[0])
      expect(await setting('memory_limit')).toBe('61.0 MiB')
      expect(await setting('temp_directory')).toBe(join(folder, 'spill'))
      const tables = await c.runAndReadAll(`select database_name from duckdb_tables() where table_name = 'fct_attribution_credit_splits'`)
      const database = tables.getRows()[0]?.[0]
      expect(database).toBe('serving')
      // Compacted: the splits' segments carry DuckDB's compression.
      const compressions = (
        await c.runAndReadAll(`select distinct compression from pragma_storage_info('attribution.fct_attribution_credit_splits')`)
      )
        .getRows()
        .map((row) => String(row[0]))
      expect(compressions.some((name) => name !== 'Uncompressed')).toBe(true)
      const [extra, missing] = await differences(store, path)
      expect({ extra, missing }).toEqual({ extra: 0, missing: 0 })
    } finally {
      store.close()
    }
    // Its file is gone with it, and no refresh left its files of staging behind.
    expect(readdirSync(folder).filter((name) => name.endsWith('.duckdb') || name.startsWith('refresh-'))).toEqual([])
    // A file, or a refresh's folder, left by a process that ended is removed at the next start.
    writeFileSync(join(folder, 'serving-999999999-1.duckdb'), 'left by a crash')
    mkdirSync(join(folder, 'refresh-999999999-a1B2c3'))
    writeFileSync(join(folder, 'refresh-999999999-a1B2c3', 'feed_events.parquet'), 'left by a crash')
    const next = await ServingStore.create({ directory: folder })
    const files = readdirSync(folder).filter((name) => name.endsWith('.duckdb') || name.startsWith('refresh-'))
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(new RegExp(`^serving-${process.pid}-\\d+\\.duckdb$`))
    next.close()
    // Without a folder given, the store makes its own and removes it at close.
    const own = await ServingStore.create()
    const ownFolder = dirname(String((await own.reader().runAndReadAll(`select current_setting('temp_directory')`)).getRows()[0]?.[0]))
    expect(existsSync(ownFolder)).toBe(true)
    own.close()
    expect(existsSync(ownFolder)).toBe(false)
  })
})

describe('waiting for the views to be answered', () => {
  it('resolves only after a read has ended and the reads have stayed quiet, or at the latest bound', async () => {
    const store = await ServingStore.create()
    try {
      const order: string[] = []
      const answered = store.whenViewsAnswered(150, 60_000).then(() => order.push('answered'))
      // Nothing has read yet: it keeps waiting.
      await new Promise((resolve) => setTimeout(resolve, 300))
      order.push('read starts')
      await store.read(async (connection) => {
        await connection.run('select 1')
        await new Promise((resolve) => setTimeout(resolve, 200))
        order.push('read ends')
      })
      await answered
      expect(order).toEqual(['read starts', 'read ends', 'answered'])

      // With no read at all, the bound ends the wait.
      const started = Date.now()
      const idle = await ServingStore.create()
      try {
        await idle.whenViewsAnswered(50, 400)
        expect(Date.now() - started).toBeGreaterThanOrEqual(390)
      } finally {
        idle.close()
      }
    } finally {
      store.close()
    }
  })
})
