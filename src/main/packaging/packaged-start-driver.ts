// The test's side of packaged-start-child.ts: starts the packaged main process in a Node child and talks to it.
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import type { HarnessExit, HarnessReport, HarnessRequest, StartRequest } from './packaged-start-child.ts'

const CHILD_SCRIPT = join(import.meta.dirname, 'packaged-start-child.ts')

/** Requests without their id (the driver numbers them). */
type Request = HarnessRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never

/** The environment of an installed app: nothing of this repository's test set-up (ATTRIBUTION_*, Vitest, a dev server). */
export function installedAppEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(ATTRIBUTION_|ELECTRON_|VITEST|NODE_OPTIONS$|TSX|UV_|PIP_)/.test(name)) continue
    env[name] = value
  }
  return { ...env, ...overrides }
}

/** The packaged main process running under Node with the fake electron module. */
export class PackagedApp {
  /** Everything the main process printed, stdout and stderr interleaved. */
  readonly output: string[] = []
  /** Resolves when the app exits through app.exit, with the fake's last report. */
  readonly exited: Promise<HarnessExit>
  private readonly child: ChildProcess
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()

  private constructor(env: NodeJS.ProcessEnv, cwd: string) {
    // Node strips the child's types itself (unflagged from Node 23.6; flagged before).
    const execArgv = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings=ExperimentalWarning']
    this.child = fork(CHILD_SCRIPT, [], { env, cwd, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')))
    this.exited = new Promise((resolve, reject) => {
      this.child.on('message', (message: { id?: number; ok?: boolean; value?: unknown; error?: string } & Partial<HarnessExit>) => {
        if (message.event === 'exit') return resolve(message as HarnessExit)
        const waiting = message.id === undefined ? undefined : this.pending.get(message.id)
        if (!waiting) return
        this.pending.delete(message.id!)
        if (message.ok) waiting.resolve(message.value)
        else waiting.reject(new Error(message.error))
      })
      this.child.on('exit', (code, signal) => {
        const error = new Error(
          `the packaged app's process ended (${signal ?? `code ${code}`}) without app.exit:\n${this.output.join('').slice(-4000)}`,
        )
        for (const waiting of this.pending.values()) waiting.reject(error)
        reject(error)
      })
    })
    this.exited.catch(() => undefined)
  }

  /** Starts the bundle in a new process and waits until its window has loaded the page. */
  static async start(start: StartRequest, env: NodeJS.ProcessEnv, cwd: string): Promise<{ app: PackagedApp; report: HarnessReport }> {
    const app = new PackagedApp(env, cwd)
    const report = await app.request<HarnessReport>({ command: 'start', start })
    return { app, report }
  }

  /** Sends one request and waits for its answer. */
  request<T>(request: Request): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.child.send({ ...request, id })
    })
  }

  /** Runs code in the window's page (where the preload exposed `window.api`), as executeJavaScript does. */
  inPage<T>(code: string): Promise<T> {
    return this.request<T>({ command: 'page', code })
  }

  /** Ends the process if it is still running (after a failed test). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}
