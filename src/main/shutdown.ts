import { spawn } from 'node:child_process'
import { messageOf } from './errors'

/** How long a shutdown may take before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 5_000

/** How a bounded close ended. */
export type CloseOutcome = 'closed' | 'timed_out' | 'failed'

/** Runs `close` and gives up after `timeoutMs` (DuckDB's teardown has been seen to hang after heavy streaming). */
export async function closeWithin(close: () => Promise<void>, timeoutMs: number, log?: (line: string) => void): Promise<CloseOutcome> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<CloseOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs)
    timer.unref()
  })
  const closing = close().then(
    (): CloseOutcome => 'closed',
    (error: unknown): CloseOutcome => {
      log?.(`Shutdown: ${messageOf(error)}`)
      return 'failed'
    },
  )
  const outcome = await Promise.race([closing, timeout])
  clearTimeout(timer)
  if (outcome === 'timed_out')
    log?.(`Shutdown: gave up closing after ${timeoutMs} ms; exiting anyway (the outbox keeps undelivered events).`)
  return outcome
}

/**
 * Starts a detached process that SIGKILLs this one after `ms` unless it has exited by then: the
 * only bound that holds when a native call (DuckDB's closeSync, its teardown at exit) blocks the
 * main thread, where no timer of ours can run. Best effort: it returns false if it cannot start.
 */
export function armExitWatchdog(ms: number): boolean {
  const [command, args] = watchdogCommand(process.pid, ms)
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true })
    child.on('error', () => undefined)
    child.unref()
    return true
  } catch {
    return false
  }
}

/**
 * The watchdog as an argument array: plain Node where this is Node; in Electron, whose RunAsNode
 * fuse is off (so its binary cannot act as Node), the system shell or PowerShell.
 */
export function watchdogCommand(
  pid: number,
  ms: number,
  runtime: { isElectron: boolean; platform: NodeJS.Platform } = {
    isElectron: Boolean(process.versions.electron),
    platform: process.platform,
  },
): [command: string, args: string[]] {
  if (!runtime.isElectron) {
    const script =
      'const [pid, ms] = process.argv.slice(-2).map(Number); const at = Date.now() + ms;' +
      'const alive = () => { try { process.kill(pid, 0); return true } catch { return false } };' +
      "const tick = setInterval(() => { if (!alive()) process.exit(0); if (Date.now() >= at) { try { process.kill(pid, 'SIGKILL') } catch {} process.exit(0) } }, 100)"
    return [process.execPath, ['-e', script, '--', String(pid), String(ms)]]
  }
  if (runtime.platform === 'win32') {
    return [
      'powershell.exe',
      [
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        `Start-Sleep -Milliseconds ${Math.round(ms)}; Stop-Process -Id ${pid} -Force -ErrorAction SilentlyContinue`,
      ],
    ]
  }
  const tenths = String(Math.ceil(ms / 100))
  const script =
    'n=0; while kill -0 "$1" 2>/dev/null; do if [ "$n" -ge "$2" ]; then kill -9 "$1" 2>/dev/null; exit 0; fi; n=$((n+1)); sleep 0.1; done'
  return ['/bin/sh', ['-c', script, 'watchdog', String(pid), tenths]]
}

/**
 * On SIGINT or SIGTERM: a bounded shutdown, then exit (0, or 1 when it failed or timed out).
 * A second signal exits at once. Returns a function that removes the handlers.
 */
export function exitOnSignals(
  shutdown: (timeoutMs: number) => Promise<CloseOutcome>,
  options: { timeoutMs?: number; log?: (line: string) => void } = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS
  let isStopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (isStopping) process.exit(signal === 'SIGINT' ? 130 : 143)
    isStopping = true
    // The watchdog allows the bounded close plus a moment for the exit itself.
    armExitWatchdog(timeoutMs + 2_000)
    void shutdown(timeoutMs).then(
      (outcome) => process.exit(outcome === 'closed' ? 0 : 1),
      (error: unknown) => {
        options.log?.(`Shutdown failed: ${messageOf(error)}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
