import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { UserFacingError } from '../errors'
import { dbtProjectDir, venvPython } from '../paths'
import { dbtPythonScript, trackDbtChild } from './dbt-children'
import {
  DBT_MISSING_HINT,
  type DbtProgress,
  type DbtRunOptions,
  type DbtRunResult,
  dbtArgs,
  dbtEnvironment,
  withDuckDbLimits,
  dbtProjectArgs,
  parseDbtLogLine,
  prepareTargetPath,
  withLockMessage,
} from './dbt-runner'

/** The error of a run stopped by its signal. */
export const CANCELLED_MESSAGE = 'The dbt run was cancelled.'

interface PendingRun {
  /** The process the run was sent to: a killed worker's late output or exit never reaches the next run. */
  child: ChildProcess
  onLine: (line: string) => void
  onExit: (detail: string) => void
}

/**
 * dbt in one long-lived Python process for the refresh loop: no interpreter start-up and no re-parse
 * per run (about 2.5 s saved each time). Runs go one at a time; cancelling kills the process group at
 * once (dbt cannot be interrupted mid-statement any quicker), and the next run starts a new one. The worker closes its DuckDB connections after every run, so the
 * warehouse file is free between runs. The worker exits by itself when its stdin closes, so it never
 * outlives this process, not even a kill -9 of it.
 */
export class DbtWorker {
  private child: ChildProcess | undefined
  private pending: PendingRun | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private readonly stderrTail: string[] = []

  /** Runs dbt like `runDbt`, in the worker. */
  run(options: DbtRunOptions): Promise<DbtRunResult> {
    const next = this.queue.then(() => this.runNow(options))
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Stops the worker process and anything it started (its own process group on POSIX). */
  close(): void {
    const child = this.child
    this.child = undefined
    if (!child) return
    try {
      if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      else child.kill('SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
  }

  private start(): ChildProcess {
    const python = venvPython()
    if (!existsSync(python)) {
      throw new UserFacingError(`dbt is not installed (no ${python}). ${DBT_MISSING_HINT}`)
    }
    // Its own process group, so a cancel kills whatever dbt started too; it still dies with the app (stdin, parent id).
    const child = spawn(python, [dbtPythonScript('dbt_worker.py')], {
      cwd: dbtProjectDir(),
      env: dbtEnvironment({ env: {} }),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    })
    trackDbtChild(child)
    child.stdin!.on('error', () => undefined)
    const pendingOfChild = () => (this.pending?.child === child ? this.pending : undefined)
    createInterface({ input: child.stdout! }).on('line', (line) => pendingOfChild()?.onLine(line))
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line)
      if (this.stderrTail.length > 20) this.stderrTail.shift()
    })
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined
      pendingOfChild()?.onExit(`The dbt worker stopped (${signal ?? `exit code ${code}`}). ${this.stderrTail.slice(-5).join(' ')}`.trim())
    })
    child.on('error', (error) => pendingOfChild()?.onExit(`The dbt worker could not start: ${error.message}`))
    this.child = child
    return child
  }

  private runNow(options: DbtRunOptions): Promise<DbtRunResult> {
    const started = Date.now()
    // Cancelled while it waited for the run before it: nothing to stop, and the warm worker stays.
    if (options.signal?.aborted) return Promise.resolve({ success: false, errors: [CANCELLED_MESSAGE], durationMs: 0 })
    prepareTargetPath(options)
    const child = this.child ?? this.start()
    const projectDir = dbtProjectDir()
    const request = {
      args: dbtArgs(options, projectDir),
      parse_args: dbtProjectArgs(options, projectDir),
      env: withDuckDbLimits(options.env),
      // A parse is reused only while everything it depends on stays the same.
      cache_key: JSON.stringify([projectDir, options.env, options.target, options.vars ?? null]),
    }
    return new Promise<DbtRunResult>((resolve) => {
      const errors: string[] = []
      const finish = (success: boolean) => {
        this.pending = undefined
        options.signal?.removeEventListener('abort', cancel)
        resolve(withLockMessage({ success, errors, durationMs: Date.now() - started }))
      }
      const cancel = () => {
        errors.push(CANCELLED_MESSAGE)
        this.close()
      }
      this.pending = {
        child,
        onLine: (line) => {
          if (line.startsWith('{"worker_done"')) {
            const done = JSON.parse(line) as { success: boolean; error: string | null }
            if (done.error && errors.length === 0) errors.push(done.error)
            finish(done.success)
            return
          }
          const progress: DbtProgress | undefined = parseDbtLogLine(line)
          if (!progress) return
          if (progress.level === 'error' && progress.message.trim() !== '') errors.push(progress.message)
          options.onProgress?.(progress)
        },
        onExit: (detail) => {
          if (!errors.includes(CANCELLED_MESSAGE)) errors.push(detail)
          finish(false)
        },
      }
      options.signal?.addEventListener('abort', cancel)
      child.stdin!.write(`${JSON.stringify(request)}\n`)
    })
  }
}
