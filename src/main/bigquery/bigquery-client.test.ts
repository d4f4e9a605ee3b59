import { describe, expect, it } from 'vitest'
import { parseServiceAccountKey } from '../credentials/service-account-key'
import { throwawayServiceAccountKey } from '../credentials/testing/throwaway-key'
import { bigQueryClientOptions, describeBigQueryError, formatBytes } from './bigquery-client'
import { BigQueryStandIn } from './testing/bigquery-standin'

const KEY = throwawayServiceAccountKey()
const parsed = parseServiceAccountKey(KEY.json)
const key = parsed.ok ? parsed.value : undefined
const SETTINGS = { projectId: 'acme-analytics', location: 'EU' }
const CONTEXT = { projectId: 'acme-analytics', maximumBytesBilled: 1e9 }

const apiError = (code: number, reason: string, message: string) =>
  Object.assign(new Error(message), { code, errors: [{ reason, message }] })

describe('bigQueryClientOptions', () => {
  it('gives the key to the client only in service-account mode, and nothing in ADC mode', () => {
    expect(bigQueryClientOptions(SETTINGS, { mode: 'service_account', key })).toMatchObject({
      projectId: 'acme-analytics',
      location: 'EU',
      credentials: { client_email: KEY.clientEmail, private_key: KEY.pem },
    })
    expect(bigQueryClientOptions(SETTINGS, { mode: 'adc' })).not.toHaveProperty('credentials')
    expect(() => bigQueryClientOptions(SETTINGS, { mode: 'service_account', key: undefined })).toThrow(/No service-account key/)
  })

  it('never puts a credential next to a test transport', async () => {
    const standIn = await BigQueryStandIn.start()
    try {
      const options = bigQueryClientOptions(SETTINGS, { mode: 'service_account', key }, { transport: standIn.transport(), maxRetries: 0 })
      expect(options).not.toHaveProperty('credentials')
      expect(options.apiEndpoint).toBe(standIn.apiEndpoint)
      expect(options.retryOptions).toEqual({ autoRetry: false, maxRetries: 0 })
    } finally {
      await standIn.close()
    }
  })
})

describe('describeBigQueryError', () => {
  it.each([
    [
      Object.assign(new Error('request to https://bigquery.googleapis.com failed'), { cause: { code: 'ENOTFOUND' } }),
      /cannot be reached: .*offline \(ENOTFOUND\)/,
    ],
    [
      apiError(400, 'bytesBilledLimitExceeded', 'Query exceeded limit for bytes billed: 1000000000. 2000000000 or higher required.'),
      /would bill more than the limit of 1\.0 GB/,
    ],
    [
      apiError(403, 'accessDenied', 'Access Denied: Project acme-analytics: User does not have bigquery.jobs.create permission'),
      /may not run queries in project acme-analytics/,
    ],
    [
      apiError(403, 'accessDenied', 'Access Denied: Table x:y.z'),
      /^Permission denied: Access Denied: Table x:y.z Grant the account BigQuery Data Viewer/,
    ],
    [apiError(404, 'notFound', 'Not found: Dataset acme-analytics:nope was not found in location EU'), /^Dataset missing: /],
    [apiError(403, 'quotaExceeded', 'Quota exceeded: Your project exceeded quota for free query bytes scanned'), /^BigQuery quota reached/],
    [new Error('invalid_grant: Invalid JWT Signature.'), /refused the service-account key/],
    [
      new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'),
      /gcloud auth application-default login/,
    ],
    [apiError(503, 'backendError', 'Backend error'), /temporary problem \(503\)/],
  ])('%s', (error, message) => {
    expect(describeBigQueryError(error, CONTEXT)).toMatch(message)
  })

  it('never passes a private key or token on, whatever the error says', () => {
    const message = describeBigQueryError(new Error(`failed with ${KEY.json} and Bearer ya29.secret-token`), CONTEXT)
    for (const line of KEY.pemBody) expect(message).not.toContain(line)
    expect(message).not.toContain('ya29.secret')
  })

  it('formats bytes as the price list does', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1_500_000_000)).toBe('1.5 GB')
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.5 MB')
  })
})
