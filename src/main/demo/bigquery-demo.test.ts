import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BigQuerySettings } from '@shared/settings-api'
import { createBigQueryClient } from '../bigquery/bigquery-client'
import { GA4_BIGQUERY_SCHEMA } from '../bigquery/ga4-bigquery-schema'
import { BigQueryStandIn } from '../bigquery/testing/bigquery-standin'
import { join } from 'node:path'
import { runBigQueryStream } from '../cli/bigquery-stream-command'
import { generateEvents } from '../generator'
import { DEFAULT_SETTINGS, writeSettings } from '../settings/app-settings'
import { makeTempDir } from '../testing/fixtures'
import {
  bigQueryDemoDatasets,
  createBigQueryDemo,
  demoBigQuerySettings,
  describeBigQueryDemoTarget,
  readBigQueryDemo,
  recentDayShards,
  removeBigQueryDemo,
} from './bigquery-demo'

const SETTINGS: BigQuerySettings = {
  projectId: 'my-project',
  ga4Dataset: 'public-sample.ga4_sample',
  martsDataset: 'attribution',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 10 * 1024 ** 3,
  credentialMode: 'adc',
}

describe('the BigQuery demo datasets', () => {
  it('are named after the export and the marts, in the own project, and never overlap them', () => {
    expect(demoBigQuerySettings(SETTINGS)).toMatchObject({
      ga4Dataset: 'my-project.ga4_sample_demo',
      martsDataset: 'attribution_demo',
      projectId: 'my-project',
    })
    expect(describeBigQueryDemoTarget(SETTINGS)).toContain('my-project.ga4_sample_demo.events_intraday_YYYYMMDD')
    expect(() => bigQueryDemoDatasets({ ...SETTINGS, ga4Dataset: 'analytics_1', martsDataset: 'analytics_1_demo' })).toThrow(/overlap/)
    expect(() => bigQueryDemoDatasets({ ...SETTINGS, ga4Dataset: 'x', martsDataset: 'x' })).toThrow(/overlap/)
  })

  it('take the day shards of the window up to the newest, gaps allowed, intraday tables left out', () => {
    const ids = [
      'events_20240101',
      'events_20240110',
      'events_20240114',
      'events_intraday_20240115',
      'events_20240115',
      'pseudonymous_users_20240115',
    ]
    expect(recentDayShards(ids, 14)).toEqual(['events_20240115', 'events_20240114', 'events_20240110'])
    expect(recentDayShards(ids, 1)).toEqual(['events_20240115'])
    expect(recentDayShards([], 14)).toEqual([])
  })

  describe('against the stand-in', () => {
    let standIn: BigQueryStandIn
    beforeAll(async () => {
      standIn = await BigQueryStandIn.start()
      // Another organisation's read-only export, as Google's public sample: a clone there is refused, a copy is not.
      await standIn.createDataset('public-sample', 'ga4_sample')
      standIn.readOnlyProject('public-sample')
      await standIn.createDataset('my-project', 'attribution')
    })
    afterAll(async () => standIn?.close())

    it('copies the window from a read-only export, reads itself back, and drops only what it labelled', async () => {
      const client = createBigQueryClient(SETTINGS, { mode: 'adc' }, { transport: standIn.transport(), maxRetries: 0 })
      // The stand-in writes the export's rows directly: the API would refuse writes to a read-only project.
      const events = [...generateEvents({ seed: 9, users: 8, days: 3, endDate: '2024-03-03', withEventId: true })]
      await standIn.loadTable(
        'public-sample',
        'ga4_sample',
        'events_20240303',
        GA4_BIGQUERY_SCHEMA,
        events.filter((event) => event.event_date === '20240303'),
      )
      await standIn.loadTable(
        'public-sample',
        'ga4_sample',
        'events_20240302',
        GA4_BIGQUERY_SCHEMA,
        events.filter((event) => event.event_date === '20240302'),
      )
      standIn.refuseClones('public-sample')

      const logged: string[] = []
      const info = await createBigQueryDemo(client, SETTINGS, {
        days: 14,
        log: (line) => logged.push(line),
        now: () => new Date('2024-03-04T10:00:00Z'),
      })
      const copied = events.filter((event) => event.event_date === '20240303' || event.event_date === '20240302').length
      expect(info).toMatchObject({
        location: 'my-project.ga4_sample_demo',
        sourceLocation: 'public-sample.ga4_sample',
        sourceName: 'ga4_sample',
        events: copied,
        dayShards: 2,
        martsLocation: 'my-project.attribution_demo',
      })
      expect(logged.filter((line) => /copying it instead/.test(line))).toHaveLength(2)
      expect(await standIn.rows('my-project', 'ga4_sample_demo', 'events_20240303')).toHaveLength(
        events.filter((event) => event.event_date === '20240303').length,
      )
      expect(await readBigQueryDemo(client, SETTINGS)).toEqual(info)

      // A dataset of the demo's name that the app did not make is never dropped.
      await removeBigQueryDemo(client, SETTINGS)
      expect(standIn.hasDataset('my-project', 'ga4_sample_demo')).toBe(false)
      await standIn.createDataset('my-project', 'attribution_demo')
      await expect(removeBigQueryDemo(client, SETTINGS)).rejects.toThrow(/not made by this app/)
      expect(standIn.hasDataset('my-project', 'attribution_demo')).toBe(true)
      expect(standIn.hasDataset('my-project', 'attribution')).toBe(true)
      expect((await standIn.tableIds('public-sample', 'ga4_sample')).sort()).toEqual(['events_20240302', 'events_20240303'])
    })

    it('CLI stream --bigquery says where it writes and streams into the demo dataset only', async () => {
      const temp = makeTempDir('cli-bigquery-stream')
      try {
        // The unlabelled look-alike of the test above goes first.
        await createBigQueryClient(SETTINGS, { mode: 'adc' }, { transport: standIn.transport(), maxRetries: 0 })
          .dataset('attribution_demo')
          .delete({ force: true })
        const settingsPath = join(temp.dir, 'settings.json')
        await writeSettings(settingsPath, { ...DEFAULT_SETTINGS, warehouse: 'bigquery', bigquery: SETTINGS })
        const lines: string[] = []
        const built: BigQuerySettings[] = []
        const firstRequest = standIn.requests.length
        await runBigQueryStream(
          settingsPath,
          { count: '7', seed: '3' },
          {
            transport: standIn.transport(),
            build: async (settings) => {
              built.push(settings)
              return { success: true, errors: [], durationMs: 1 }
            },
            write: (line) => lines.push(line),
          },
        )
        expect(lines[0]).toBe(
          'streaming demo events into BigQuery my-project.ga4_sample_demo.events_intraday_YYYYMMDD (the demo copy of public-sample.ga4_sample, modelled into my-project.attribution_demo; the export dataset is never written)',
        )
        const intraday = (await standIn.tableIds('my-project', 'ga4_sample_demo')).filter((name) => name.startsWith('events_intraday_'))
        expect(intraday.length).toBeGreaterThan(0)
        const streamed = await Promise.all(intraday.map((name) => standIn.rows('my-project', 'ga4_sample_demo', name)))
        expect(streamed.flat()).toHaveLength(7)
        expect(built.map((settings) => [settings.ga4Dataset, settings.martsDataset])).toEqual([
          ['my-project.ga4_sample_demo', 'attribution_demo'],
        ])
        expect(
          standIn.requests
            .slice(firstRequest)
            .filter((request) => request.method !== 'GET' && /\/datasets\/ga4_sample(\/|$)/.test(request.path)),
        ).toEqual([])
        expect((await standIn.tableIds('public-sample', 'ga4_sample')).sort()).toEqual(['events_20240302', 'events_20240303'])
      } finally {
        temp.cleanup()
      }
    })
  })
})
