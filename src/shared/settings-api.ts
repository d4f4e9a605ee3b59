/**
 * The settings, credentials and BigQuery channels, to be merged into `ApiChannels`. Nothing here
 * ever carries a service-account key: the renderer sees a summary of it, never its contents.
 */
import type { Result } from './attribution'

/** Where the dashboard reads from. */
export const WAREHOUSE_KINDS = ['embedded', 'bigquery'] as const
export type WarehouseKind = (typeof WAREHOUSE_KINDS)[number]

/** How the main process authenticates to BigQuery. */
export const CREDENTIAL_MODES = ['service_account', 'adc'] as const
export type CredentialMode = (typeof CREDENTIAL_MODES)[number]

/** BigQuery connection settings; identifiers only, no secret. */
export interface BigQuerySettings {
  /** Project that runs (and pays for) the queries and holds the marts dataset. */
  projectId: string
  /** The GA4 export dataset: `analytics_123456789`, or `project.dataset` for another project's (e.g. the public sample). */
  ga4Dataset: string
  /** Dataset dbt writes the marts to, in `projectId`. */
  martsDataset: string
  /** BigQuery location of both datasets, e.g. `US`, `EU`, `europe-west2`. */
  location: string
  /** Most bytes one dashboard query may bill; BigQuery refuses a query that would bill more. */
  maximumBytesBilled: number
  /** Most bytes one dbt model may bill during a build. */
  dbtMaximumBytesBilled: number
  credentialMode: CredentialMode
}

/** Everything the settings screen edits. */
export interface AppSettings {
  warehouse: WarehouseKind
  bigquery: BigQuerySettings
  /**
   * An existing dbt executable to run instead of the app's own; absent means none. Changed only
   * through `dbt:useExecutable`, which checks it: `settings:save` keeps the saved value.
   */
  dbtExecutable?: string
}

/** What the renderer may know about the stored service-account key. */
export interface CredentialSummary {
  configured: boolean
  projectId: string | null
  clientEmail: string | null
}

/** Whether the key can be kept across restarts on this machine, so the screen can offer the right choice. */
export interface KeyStorageInfo {
  /** False when the OS offers no encryption at all: only session-only use is possible. */
  encryptionAvailable: boolean
  /** True when the only backend is Chromium's plain-text one (Linux without a keyring): storing needs an explicit opt-in. */
  plainTextOnly: boolean
  /** Where the current key lives: on disk (encrypted), in memory for this session, or nowhere. */
  persistence: 'stored' | 'session' | 'none'
}

/** `settings:get` answer. */
export interface SettingsView {
  settings: AppSettings
  credentials: CredentialSummary
  keyStorage: KeyStorageInfo
  /** Set when the settings file was unreadable and defaults were used instead. */
  notice: string | null
}

/** `settings:testConnection` answer: what was checked and found. */
export interface ConnectionReport {
  projectId: string
  ga4Dataset: string
  martsDataset: string
  /** The GA4 dataset's own location as BigQuery reports it. */
  ga4Location: string | null
  dayTables: number
  intradayTables: number
  hasMarts: boolean
  /** Things that work but deserve attention (e.g. the marts dataset does not exist yet). */
  notes: string[]
}

/** `credentials:chooseKeyFile` request: how to keep the key. */
export interface ChooseKeyFileRequest {
  /** `session`: keep it in memory until the app quits; `stored`: encrypted on disk. */
  persistence: 'stored' | 'session'
  /** Store even when the OS offers only the plain-text backend; the person must have said yes. */
  allowPlainText?: boolean
}

/** An event BigQuery refused as invalid, kept for the person to look at. */
export interface DeadLetter {
  /** The event's `event_id`, which was also its insertId. */
  eventId: string | null
  eventName: string | null
  table: string
  reason: string
  message: string
  /** When it was refused, ISO 8601 UTC. */
  failedAt: string
}

/** Request/response channels of settings, credentials and BigQuery streaming. */
export interface SettingsChannels {
  'settings:get': (request: Record<string, never>) => Promise<Result<SettingsView>>
  'settings:save': (request: AppSettings) => Promise<Result<SettingsView>>
  'settings:testConnection': (request: { settings?: AppSettings }) => Promise<Result<ConnectionReport>>
  'credentials:chooseKeyFile': (request: ChooseKeyFileRequest) => Promise<Result<CredentialSummary | null>>
  'credentials:clear': (request: Record<string, never>) => Promise<Result<CredentialSummary>>
  'stream:deadLetters': (request: Record<string, never>) => Promise<Result<DeadLetter[]>>
}

/** Every settings channel, once: the mapped type makes a channel left out here, or not in SettingsChannels, a compile error. */
export const SETTINGS_CHANNEL_KEYS: { readonly [C in keyof SettingsChannels]: true } = {
  'settings:get': true,
  'settings:save': true,
  'settings:testConnection': true,
  'credentials:chooseKeyFile': true,
  'credentials:clear': true,
  'stream:deadLetters': true,
}
