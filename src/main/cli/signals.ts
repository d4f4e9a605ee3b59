import { killDbtChildren } from '../dbt/dbt-children'
import { SHUTDOWN_TIMEOUT_MS, armExitWatchdog } from '../shutdown'

/**
 * The CLI's bounded stop on SIGINT/SIGTERM: dbt is killed at once, the command gets `timeoutMs`
 * to wind down (the stream finishes its batch, the file is closed), then the process exits anyway;
 * a watchdog covers a DuckDB teardown that blocks the main thread. A second signal exits at once.
 */
export function installCliSignalHandlers(timeoutMs = SHUTDOWN_TIMEOUT_MS): {
  signal: () => NodeJS.Signals | undefined
  remove: () => void
} {
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143
    if (received) process.exit(code)
    received = signal
    killDbtChildren()
    armExitWatchdog(timeoutMs + 2_000)
    setTimeout(() => {
      process.stderr.write(`Stopped by ${signal}: gave up waiting after ${timeoutMs} ms.\n`)
      process.exit(code)
    }, timeoutMs).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: () => received,
    remove: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
