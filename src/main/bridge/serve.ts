// `npm run serve`: the dashboard in a browser, over the same services as the desktop app.
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createAppServices } from '../app-services'
import { defaultImportRoot, projectRoot, warehousePath } from '../paths'
import { closeWithin, exitOnSignals } from '../shutdown'
import { startBridge } from './server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5170' },
    warehouse: { type: 'string' },
    static: { type: 'string' },
    'import-root': { type: 'string' },
  },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port must be a port number, got "${values.port}"\n`)
  process.exit(2)
}
const warehouse = warehousePath(values.warehouse)
// The browser has no file dialog: `warehouse:importFiles` takes paths, but only inside this folder (DECISIONLOG "Imports name files the host allows").
const importRoot = resolve(values['import-root'] ?? defaultImportRoot(warehouse))
const services = await createAppServices({
  warehousePath: warehouse,
  importRoot,
  host: { log: (message) => process.stderr.write(`${message}\n`) },
})
const bridge = await startBridge({
  handlers: services.handlers,
  staticDir: values.static ?? join(projectRoot(), 'out', 'renderer'),
  onJobProgress: (listener) => {
    const stopJobs = services.jobs.onProgress(listener)
    const stopRefresh = services.refresh.onProgress(listener)
    return () => {
      stopJobs()
      stopRefresh()
    }
  },
  onMartsChanged: (listener) => services.onMartsChanged(listener),
  port,
})
process.stdout.write(
  `Dashboard at ${bridge.url} (warehouse ${services.warehouse.embedded.path}, imports from ${importRoot}); Ctrl+C stops it.\n`,
)

// Bounded: a hung connection or DuckDB teardown never keeps the process from exiting.
exitOnSignals(
  async (timeoutMs) => {
    const started = Date.now()
    await closeWithin(() => bridge.close(), Math.min(1_000, timeoutMs))
    return services.shutdown(Math.max(0, timeoutMs - (Date.now() - started)))
  },
  { log: (line) => process.stderr.write(`${line}\n`) },
)
