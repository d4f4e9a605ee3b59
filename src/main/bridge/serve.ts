// `npm run serve`: the dashboard in a browser, over the same services as the desktop app.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createAppServices } from '../app-services'
import { projectRoot, warehousePath } from '../paths'
import { startBridge } from './server'

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5170' }, warehouse: { type: 'string' }, static: { type: 'string' } },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port must be a port number, got "${values.port}"\n`)
  process.exit(2)
}
const services = await createAppServices({
  warehousePath: warehousePath(values.warehouse),
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
  port,
})
process.stdout.write(`Dashboard at ${bridge.url} (warehouse ${services.warehouse.embedded.path}); Ctrl+C stops it.\n`)

async function stop(): Promise<void> {
  await bridge.close()
  await services.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
