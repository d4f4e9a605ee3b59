// Test helper run as its own process: starts a BigQuery dbt build (throwaway key, handed over the
// app's way) and the long-lived dbt worker, reports "dbt-started" once dbt logs, then waits to be killed.
import { join } from 'node:path'
import { withDbtEnvironment } from '../../bigquery/dbt-environment'
import { CredentialStore } from '../../credentials/credential-store'
import { aesGcmCipher } from '../../credentials/secret-cipher'
import { throwawayServiceAccountKey } from '../../credentials/testing/throwaway-key'
import { runDbt } from '../dbt-runner'
import { DbtWorker } from '../dbt-worker'

const dataDir = process.env.ATTRIBUTION_TEST_DATA_DIR ?? ''
const store = new CredentialStore({ dir: dataDir, cipher: aesGcmCipher({ available: false }) })
await store.keep(throwawayServiceAccountKey('example-project').json, { persistence: 'session' })
const settings = {
  projectId: 'example-project',
  ga4Dataset: 'analytics_123456',
  martsDataset: 'attribution',
  location: 'US',
  maximumBytesBilled: 1024 ** 3,
  dbtMaximumBytesBilled: 1024 ** 3,
  credentialMode: 'service_account',
} as const

let hasStarted = false
const started = () => {
  if (hasStarted) return
  hasStarted = true
  process.stdout.write('dbt-started\n')
}
const worker = new DbtWorker()
void worker.run({
  command: 'parse',
  target: 'duckdb',
  env: { ATTRIBUTION_WAREHOUSE: join(dataDir, 'never-opened.duckdb') },
  targetPath: join(dataDir, 'worker-target'),
})
void withDbtEnvironment(settings, store, (env) =>
  runDbt({ command: 'build', target: 'bigquery', env, targetPath: join(dataDir, 'bigquery-target'), onProgress: started }),
).then((result) => process.stdout.write(`dbt-finished ${JSON.stringify(result.errors.slice(0, 2))}\n`))
setInterval(() => undefined, 60_000)
