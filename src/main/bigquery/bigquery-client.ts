import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery'
import type { BigQuerySettings } from '@shared/settings-api'
import type { ServiceAccountKey } from '../credentials/service-account-key'
import { redactSecrets } from '../credentials/redact'
import { UserFacingError, messageOf } from '../errors'

/** Which credentials a client uses: the stored key, or Application Default Credentials. */
export type BigQueryCredentials = { mode: 'service_account'; key: ServiceAccountKey | undefined } | { mode: 'adc' }

/** Where requests go instead of Google, for tests against a loopback server; `authClient` must send no credentials. */
export interface BigQueryTransport {
  apiEndpoint: string
  authClient: NonNullable<BigQueryOptions['authClient']>
}

/** The client options for the settings and credentials; the key reaches the client object and nothing else. */
export function bigQueryClientOptions(
  settings: Pick<BigQuerySettings, 'projectId' | 'location'>,
  credentials: BigQueryCredentials,
  options: { transport?: BigQueryTransport; maxRetries?: number } = {},
): BigQueryOptions {
  const retries = options.maxRetries ?? 3
  const base: BigQueryOptions = {
    projectId: settings.projectId,
    location: settings.location,
    retryOptions: { autoRetry: retries > 0, maxRetries: retries },
  }
  // A test transport replaces authentication entirely, so a test can never send a real credential.
  if (options.transport) return { ...base, apiEndpoint: options.transport.apiEndpoint, authClient: options.transport.authClient }
  if (credentials.mode === 'adc') return base
  if (!credentials.key) {
    throw new UserFacingError(
      'No service-account key is configured: choose a key file in Settings, or switch to Application Default Credentials.',
    )
  }
  return { ...base, credentials: { client_email: credentials.key.client_email, private_key: credentials.key.private_key } }
}

/** A BigQuery client for the settings and credentials. */
export function createBigQueryClient(...args: Parameters<typeof bigQueryClientOptions>): BigQuery {
  return new BigQuery(bigQueryClientOptions(...args))
}

interface ErrorFields {
  code?: unknown
  errors?: Array<{ reason?: unknown; message?: unknown }>
  cause?: unknown
  response?: { data?: { error?: unknown; error_description?: unknown } }
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'the name bigquery.googleapis.com could not be resolved: this computer seems to be offline',
  EAI_AGAIN: 'the name lookup failed: this computer seems to be offline',
  ECONNREFUSED: 'the connection was refused (a proxy or firewall?)',
  ECONNRESET: 'the connection was reset (a proxy or an unstable network?)',
  ETIMEDOUT: 'the connection timed out',
  ENETUNREACH: 'the network is unreachable: this computer seems to be offline',
  EHOSTUNREACH: 'the host is unreachable',
}

/** The network error code of an error or of its causes (fetch wraps them), if any. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as ErrorFields).code
    if (typeof code === 'string' && code in NETWORK_CODES) return code
    current = (current as ErrorFields).cause
  }
  const match = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/.exec(messageOf(error))
  return match?.[1]
}

/** The HTTP status and BigQuery reasons of an API error. */
export function errorReasons(error: unknown): { status: number | undefined; reasons: string[] } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields
  const status = typeof fields.code === 'number' ? fields.code : undefined
  const reasons = (fields.errors ?? [])
    .map((inner) => (typeof inner.reason === 'string' ? inner.reason : ''))
    .filter((reason) => reason !== '')
  return { status, reasons }
}

/** What was being done when an error happened, to name it in the message. */
export interface ErrorContext {
  projectId: string
  /** The dataset(s) involved, `project.dataset`. */
  datasets?: string[]
  maximumBytesBilled?: number
}

/** Turns any error of the BigQuery client into a message a person can act on; never includes a secret. */
export function describeBigQueryError(error: unknown, context: ErrorContext): string {
  const raw = redactSecrets(messageOf(error)).replace(/\s+/g, ' ').trim().slice(0, 400)
  const network = networkErrorCode(error)
  if (network) return `BigQuery cannot be reached: ${NETWORK_CODES[network]} (${network}).`
  const { status, reasons } = errorReasons(error)
  const has = (reason: string) => reasons.includes(reason)
  if (has('bytesBilledLimitExceeded') || /exceeded limit for bytes billed/i.test(raw)) {
    const limit = context.maximumBytesBilled ? ` of ${formatBytes(context.maximumBytesBilled)}` : ''
    return `BigQuery refused the query: it would bill more than the limit${limit} set in Settings. Narrow the dates, or raise "Maximum bytes billed". (${raw})`
  }
  if (/invalid_grant|invalid jwt|account not found/i.test(raw)) {
    return 'Google refused the service-account key (it was deleted, disabled or the clock is wrong): create a new key in the Google Cloud console and choose it again.'
  }
  if (/could not load the default credentials|unable to detect a project id/i.test(raw)) {
    return 'Application Default Credentials are not set up on this computer: run `gcloud auth application-default login`, or choose a service-account key file.'
  }
  if (status === 401 || has('authError')) return `The credentials were refused (expired, revoked or for another account): ${raw}`
  if (has('quotaExceeded') || has('rateLimitExceeded') || status === 429) {
    return `BigQuery quota reached (${reasons.join(', ') || status}): wait a minute and try again; see docs/runbook.md for the limits. (${raw})`
  }
  if (status === 403 || has('accessDenied')) {
    if (/bigquery\.jobs\.create/i.test(raw)) {
      return `Permission denied: the account may not run queries in project ${context.projectId}. Grant it BigQuery Job User there, or pick the project it belongs to. (${raw})`
    }
    if (/billing/i.test(raw)) return `Project ${context.projectId} has no billing (or the BigQuery sandbox limit was hit): ${raw}`
    return `Permission denied: ${raw} Grant the account BigQuery Data Viewer on the GA4 dataset and BigQuery Data Editor on the marts dataset.`
  }
  if (status === 404 || has('notFound')) {
    if (/Dataset/i.test(raw)) return `Dataset missing: ${raw} Check the dataset name and the location in Settings.`
    if (/Project/i.test(raw)) return `Project not found: ${raw} Check the project id.`
    if (/events_/.test(raw)) return `No GA4 export tables found: ${raw} Is the GA4 BigQuery link exporting to this dataset?`
    return `Not found: ${raw}`
  }
  if (status !== undefined && status >= 500) return `BigQuery had a temporary problem (${status}); try again in a moment. (${raw})`
  if (has('invalidQuery') || has('invalid')) return `BigQuery rejected the query: ${raw}`
  return `BigQuery request failed: ${raw}`
}

/** Rethrows any BigQuery error as a UserFacingError with a person-readable message. */
export function toUserFacing(error: unknown, context: ErrorContext): UserFacingError {
  return error instanceof UserFacingError ? error : new UserFacingError(describeBigQueryError(error, context))
}

/** Bytes as people read them: 1.5 GB (decimal units, as the Google Cloud console and price list use). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}
