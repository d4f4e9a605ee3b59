import type { BigQuery, Dataset } from '@google-cloud/bigquery'
import type { DemoSandboxInfo, DemoStatus } from '@shared/api'
import type { BigQuerySettings } from '@shared/settings-api'
import { describeBigQueryError, errorReasons } from '../bigquery/bigquery-client'
import { UserFacingError, messageOf } from '../errors'
import { splitGa4Dataset } from '../settings/app-settings'

/**
 * The presenter's demo on BigQuery: demo events go to a demo dataset, never the GA4 export. The
 * demo dataset `<ga4 dataset>_demo` (in the person's own project) holds copies of the export's
 * last day shards plus the `events_intraday_*` tables the streamer writes; dbt builds the demo
 * marts `<marts dataset>_demo` from it, and the views read those while the demo is shown.
 * See DECISIONLOG "The BigQuery demo runs in demo datasets".
 */

/** Appended to the export's and the marts' dataset names. */
export const DEMO_DATASET_SUFFIX = '_demo'
/** How many days of the export's newest shards the demo copies (the default lookback). */
export const DEMO_WINDOW_DAYS = 14
/** The label the app puts on its demo datasets; only datasets carrying it are ever dropped. */
export const DEMO_LABEL_KEY = 'realtime_attribution'
const DEMO_LABEL_VALUE = 'demo'
const DAY_SHARD = /^events_(\d{8})$/

/** A dataset by project and name. */
export interface DatasetName {
  project: string
  dataset: string
}

/** The export, the marts and their demo twins. */
export interface BigQueryDemoDatasets {
  export: DatasetName
  marts: DatasetName
  demoEvents: DatasetName
  demoMarts: DatasetName
}

const full = (name: DatasetName) => `${name.project}.${name.dataset}`

/** The demo datasets of a setting: always in the person's own project, never the export or the marts themselves. */
export function bigQueryDemoDatasets(settings: Pick<BigQuerySettings, 'projectId' | 'ga4Dataset' | 'martsDataset'>): BigQueryDemoDatasets {
  const exportDataset = splitGa4Dataset(settings)
  const marts = { project: settings.projectId, dataset: settings.martsDataset }
  const demoEvents = { project: settings.projectId, dataset: `${exportDataset.dataset}${DEMO_DATASET_SUFFIX}` }
  const demoMarts = { project: settings.projectId, dataset: `${settings.martsDataset}${DEMO_DATASET_SUFFIX}` }
  const real = new Set([full(exportDataset), full(marts)])
  if (real.has(full(demoEvents)) || real.has(full(demoMarts)) || full(demoEvents) === full(demoMarts)) {
    throw new UserFacingError(
      `The demo datasets ${full(demoEvents)} and ${full(demoMarts)} would overlap the export or the marts: give the marts dataset another name in Settings.`,
    )
  }
  return { export: exportDataset, marts, demoEvents, demoMarts }
}

/** The settings the demo runs on: the demo dataset as the GA4 export, the demo marts as the marts. Streaming, dbt and the views take these. */
export function demoBigQuerySettings(settings: BigQuerySettings): BigQuerySettings {
  const names = bigQueryDemoDatasets(settings)
  return { ...settings, ga4Dataset: full(names.demoEvents), martsDataset: names.demoMarts.dataset }
}

/** Where demo events go on BigQuery, for the app's log and the CLI: "p.analytics_1_demo.events_intraday_YYYYMMDD". */
export function describeBigQueryDemoTarget(settings: BigQuerySettings): string {
  const names = bigQueryDemoDatasets(settings)
  return `${full(names.demoEvents)}.events_intraday_YYYYMMDD (the demo copy of ${full(names.export)}, modelled into ${full(names.demoMarts)}; the export dataset is never written)`
}

/** True for a dataset the app made as a demo copy (by its label). */
function isDemoDataset(metadata: { labels?: Record<string, string> }): boolean {
  return metadata.labels?.[DEMO_LABEL_KEY] === DEMO_LABEL_VALUE
}

async function metadataOf(dataset: Dataset): Promise<{ labels?: Record<string, string>; description?: string } | null> {
  try {
    const [metadata] = await dataset.getMetadata()
    return metadata as { labels?: Record<string, string>; description?: string }
  } catch (error) {
    if (errorReasons(error).status === 404) return null
    throw error
  }
}

const datasetOf = (client: BigQuery, name: DatasetName, location?: string) =>
  client.dataset(name.dataset, { projectId: name.project, ...(location ? { location } : {}) })

/** The demo as last made (read from its dataset's description), or null when there is none. */
export async function readBigQueryDemo(client: BigQuery, settings: BigQuerySettings): Promise<DemoSandboxInfo | null> {
  const names = bigQueryDemoDatasets(settings)
  const metadata = await metadataOf(datasetOf(client, names.demoEvents))
  if (!metadata || !isDemoDataset(metadata)) return null
  try {
    const info = JSON.parse((metadata.description ?? '').split('\n').slice(1).join('\n')) as DemoSandboxInfo
    return info.sourceLocation === full(names.export) ? info : null
  } catch {
    return null
  }
}

/** Drops the demo datasets (only those labelled as the app's demo); the export and the marts are never touched. */
export async function removeBigQueryDemo(client: BigQuery, settings: BigQuerySettings): Promise<void> {
  const names = bigQueryDemoDatasets(settings)
  for (const name of [names.demoEvents, names.demoMarts]) {
    const dataset = datasetOf(client, name)
    const metadata = await metadataOf(dataset)
    if (!metadata) continue
    if (!isDemoDataset(metadata))
      throw new UserFacingError(
        `${full(name)} was not made by this app as a demo copy (it has no ${DEMO_LABEL_KEY}=demo label), so it is not dropped.`,
      )
    await dataset.delete({ force: true })
  }
}

/** The export's day shards within `days` of its newest one, newest first. */
export function recentDayShards(tableIds: readonly string[], days: number): string[] {
  const dates = tableIds
    .map((id) => DAY_SHARD.exec(id)?.[1])
    .filter((date): date is string => date !== undefined)
    .sort()
    .reverse()
  const newest = dates[0]
  if (!newest) return []
  const first = new Date(Date.UTC(Number(newest.slice(0, 4)), Number(newest.slice(4, 6)) - 1, Number(newest.slice(6, 8)) - (days - 1)))
  const firstDate = first.toISOString().slice(0, 10).replace(/-/g, '')
  return dates.filter((date) => date >= firstDate).map((date) => `events_${date}`)
}

/** How the demo is made; `now` for tests. */
export interface CreateBigQueryDemoOptions {
  days?: number
  now?: () => Date
  log?: (line: string) => void
}

/**
 * Makes the demo datasets: `<export>_demo` with clones (a copy where a clone is refused, e.g. from
 * another organisation's public sample) of the export's last days' shards, and an empty
 * `<marts>_demo`. The export is only read. Returns what the header shows.
 */
export async function createBigQueryDemo(
  client: BigQuery,
  settings: BigQuerySettings,
  options: CreateBigQueryDemoOptions = {},
): Promise<DemoSandboxInfo> {
  const started = Date.now()
  const now = options.now ?? (() => new Date())
  const names = bigQueryDemoDatasets(settings)
  const context = { projectId: settings.projectId, datasets: [full(names.export), full(names.demoEvents), full(names.demoMarts)] }
  try {
    await removeBigQueryDemo(client, settings)
    const exportDataset = datasetOf(client, names.export, settings.location)
    const [tables] = await exportDataset.getTables()
    const shards = recentDayShards(
      tables.map((table) => table.id ?? ''),
      options.days ?? DEMO_WINDOW_DAYS,
    )
    if (shards.length === 0) throw new UserFacingError(`${full(names.export)} has no events_YYYYMMDD day tables to copy for the demo.`)
    const labels = { [DEMO_LABEL_KEY]: DEMO_LABEL_VALUE }
    const [demoEvents] = await client.createDataset(names.demoEvents.dataset, {
      location: settings.location,
      labels,
      description: `Demo copy of ${full(names.export)} made by Realtime Attribution: streamed demo events go here. Drop it freely.`,
    })
    await client.createDataset(names.demoMarts.dataset, {
      location: settings.location,
      labels,
      description: `Demo marts built from ${full(names.demoEvents)} by Realtime Attribution. Drop it freely.`,
    })
    let events = 0
    await Promise.all(
      shards.map(async (shard) => {
        const source = exportDataset.table(shard)
        const destination = demoEvents.table(shard)
        try {
          // A clone costs nothing until either side changes; the export's finished shards do not.
          await source.copy(destination, { operationType: 'CLONE' })
        } catch (error) {
          options.log?.(`Demo: ${shard} could not be cloned (${messageOf(error).slice(0, 120)}); copying it instead.`)
          await source.copy(destination, { operationType: 'COPY', writeDisposition: 'WRITE_TRUNCATE' })
        }
        const [metadata] = await destination.getMetadata()
        events += Number((metadata as { numRows?: string | number }).numRows ?? 0)
      }),
    )
    const info: DemoSandboxInfo = {
      location: full(names.demoEvents),
      sourceLocation: full(names.export),
      sourceName: names.export.dataset,
      createdAt: now().toISOString(),
      events,
      copyMs: Date.now() - started,
      martsLocation: full(names.demoMarts),
      dayShards: shards.length,
    }
    // The info lives with the dataset, so another session (or the CLI) finds the same demo.
    await demoEvents.setMetadata({
      description: `Demo copy of ${full(names.export)} made by Realtime Attribution: streamed demo events go here. Drop it freely.\n${JSON.stringify(info)}`,
    })
    return info
  } catch (error) {
    await removeBigQueryDemo(client, settings).catch(() => undefined)
    throw error instanceof UserFacingError ? error : new UserFacingError(describeBigQueryError(error, context))
  }
}

/** What the BigQuery demo needs from the app. */
export interface BigQueryDemoModeOptions {
  /** The real settings (the demo's are derived from them). */
  settings: BigQuerySettings
  client: BigQuery
  /** Builds the demo marts with dbt (full build, the demo settings' datasets). */
  build: (demoSettings: BigQuerySettings) => Promise<void>
  log?: (line: string) => void
  days?: number
}

/**
 * Switches the views and "Stream events" on BigQuery between the real marts and the demo ones.
 * Streaming always goes to the demo dataset; the first burst makes it (copies and a dbt build).
 */
export class BigQueryDemoMode {
  readonly demoSettings: BigQuerySettings
  private isActive = false
  private info: DemoSandboxInfo | null = null
  private preparing: Promise<DemoSandboxInfo> | undefined
  private preparingMessage: string | null = null
  private error: string | null = null
  private looked: Promise<void> | undefined

  constructor(private readonly options: BigQueryDemoModeOptions) {
    this.demoSettings = demoBigQuerySettings(options.settings)
  }

  /** The header's view of the demo. */
  status(): DemoStatus {
    return {
      isActive: this.isActive,
      sandbox: this.info,
      isPreparing: this.preparing !== undefined,
      preparingMessage: this.preparingMessage,
      error: this.error,
    }
  }

  /** Where demo events go, in words. */
  describeTarget(): string {
    return describeBigQueryDemoTarget(this.options.settings)
  }

  /** True while the views read the demo marts. */
  active(): boolean {
    return this.isActive
  }

  /** Looks once for a demo left by an earlier session, so the header can offer it. */
  lookForKept(): Promise<void> {
    this.looked ??= readBigQueryDemo(this.options.client, this.options.settings)
      .then((info) => {
        this.info ??= info
      })
      .catch((error: unknown) => this.options.log?.(`Demo: could not look for a kept demo dataset: ${messageOf(error)}`))
    return this.looked
  }

  /** Shows the demo, making its datasets and building its marts first when there are none. */
  async enter(): Promise<DemoStatus> {
    this.preparing ??= this.prepare().finally(() => {
      this.preparing = undefined
      this.preparingMessage = null
    })
    try {
      this.info = await this.preparing
      this.isActive = true
      this.error = null
    } catch (error) {
      this.error = `The demo dataset could not be made: ${messageOf(error)}`
      throw error
    }
    return this.status()
  }

  /** Back to the real marts; the demo datasets stay. */
  leave(): DemoStatus {
    this.isActive = false
    return this.status()
  }

  /** Back to the real marts, and the demo datasets dropped. */
  async remove(): Promise<DemoStatus> {
    this.leave()
    await this.preparing?.catch(() => undefined)
    await removeBigQueryDemo(this.options.client, this.options.settings)
    this.info = null
    this.error = null
    return this.status()
  }

  private async prepare(): Promise<DemoSandboxInfo> {
    await this.lookForKept()
    if (this.info) return this.info
    const names = bigQueryDemoDatasets(this.options.settings)
    this.preparingMessage = `Copying the last ${this.options.days ?? DEMO_WINDOW_DAYS} days of ${full(names.export)}`
    const info = await createBigQueryDemo(this.options.client, this.options.settings, { days: this.options.days, log: this.options.log })
    this.options.log?.(
      `Demo copy of ${info.sourceLocation}: ${info.dayShards ?? 0} day tables, ${info.events} events in ${info.copyMs} ms at ${info.location}`,
    )
    this.preparingMessage = `Building the demo marts in ${full(names.demoMarts)}`
    try {
      await this.options.build(this.demoSettings)
    } catch (error) {
      // Half a demo (copies without marts) would be offered as ready next time: start again instead.
      await removeBigQueryDemo(this.options.client, this.options.settings).catch(() => undefined)
      throw error
    }
    return info
  }
}
