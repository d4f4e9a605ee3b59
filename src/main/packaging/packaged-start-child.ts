// Runs the packaged main process (out/main/index.js from the extracted app.asar) under Node with the fake
// electron module, and answers the test's requests over the fork IPC channel. Started by packaged-start.test.ts.
import childProcess from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FAKE_ELECTRON_EXPORTS, FAKE_ELECTRON_KEY, FakeElectron } from './fake-electron.ts'

/** How the test starts the packaged app. */
export interface StartRequest {
  /** The extracted app.asar (beside app.asar.unpacked). */
  appRoot: string
  resourcesDir: string
  /** The packaged executable, as process.argv[0] is in Electron. */
  executable: string
  userDataDir: string
  electronVersion: string
  /** Command-line arguments after the executable (e.g. the smoke flag). */
  args: string[]
}

/** A request from the test; each is answered with `{ id, ok, value | error }`. */
export type HarnessRequest =
  | { id: number; command: 'start'; start: StartRequest }
  | { id: number; command: 'report' }
  | { id: number; command: 'serve'; url: string; method?: string }
  | { id: number; command: 'page'; code: string }
  | { id: number; command: 'invokeAs'; channel: string; input: unknown; senderId: number; frameUrl: string }
  | { id: number; command: 'navigate'; url: string }
  | { id: number; command: 'windowOpen'; url: string }
  | { id: number; command: 'headers'; url: string }
  | { id: number; command: 'permission'; permission: string }
  | { id: number; command: 'closeWindow' }

/** What the fake saw so far, as plain data. */
export interface HarnessReport {
  calls: Array<{ api: string; args: unknown[] }>
  unknownApis: string[]
  /** Uncaught exceptions and unhandled rejections in the main process. */
  errors: string[]
  ipcChannels: string[]
  protocolSchemes: string[]
  windows: Array<{ options: Record<string, unknown>; url: string; visible: boolean; webContentsId: number; destroyed: boolean }>
  /** Child processes the bundle started: command, arguments and working folder. */
  spawns: Array<{ command: string; args: string[]; cwd: string | null }>
  /** The shape of what the preload exposed: each key with its method names, or 'function'. */
  exposed: Record<string, Record<string, string[] | 'function'>>
}

/** Sent once when the app exits through app.exit (or the end of quit). */
export interface HarnessExit {
  event: 'exit'
  code: number
  report: HarnessReport
}

const errors: string[] = []
const spawns: HarnessReport['spawns'] = []
let fake: FakeElectron | undefined

process.on('uncaughtException', (error) => errors.push(`uncaught: ${error.stack ?? String(error)}`))
process.on('unhandledRejection', (reason) =>
  errors.push(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`),
)

/** Plain data for the IPC channel: functions and other unclonable values become their description. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'function' ? '[function]' : inner)) ?? 'null')
}

function report(): HarnessReport {
  const electron = fake
  if (!electron) throw new Error('not started')
  const exposed: HarnessReport['exposed'] = {}
  const context = electron.page?.context as Record<string, unknown> | undefined
  for (const key of ['api']) {
    const value = context?.[key]
    if (value && typeof value === 'object') {
      exposed[key] = Object.fromEntries(
        Object.entries(value).map(([name, inner]) => [
          name,
          typeof inner === 'function' ? 'function' : Object.keys(inner as object).sort(),
        ]),
      )
    }
  }
  return {
    calls: electron.calls.map((call) => ({ api: call.api, args: plain(call.args) as unknown[] })),
    unknownApis: [...electron.unknownApis],
    errors: [...errors],
    ipcChannels: [...electron.ipcHandlers.keys()],
    protocolSchemes: [...electron.protocolHandlers.keys()],
    windows: electron.windows.map((window) => ({
      options: plain(window.options) as Record<string, unknown>,
      url: window.contents.url,
      visible: window.visible,
      webContentsId: window.contents.id,
      destroyed: window.destroyed,
    })),
    spawns: [...spawns],
    exposed,
  }
}

/** The `electron` package the bundle imports (ESM) and the preload requires (CJS): it hands out the fake. */
function writeElectronShim(appRoot: string): void {
  const dir = join(appRoot, 'node_modules', 'electron')
  mkdirSync(dir, { recursive: true })
  const key = `Symbol.for(${JSON.stringify(FAKE_ELECTRON_KEY.description)})`
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'electron', private: true, exports: { import: './index.mjs', require: './index.cjs' } }),
  )
  const exports = FAKE_ELECTRON_EXPORTS.map((name) => `export const ${name} = fake.modules.${name}\n`).join('')
  writeFileSync(join(dir, 'index.mjs'), `const fake = globalThis[${key}]\n${exports}export default fake.modules.default\n`)
  writeFileSync(join(dir, 'index.cjs'), `module.exports = globalThis[${key}].modules.default\n`)
}

/** Records every child process (dbt, its worker, the exit watchdog) and still starts it. */
function recordSpawns(): void {
  const spawn = childProcess.spawn
  childProcess.spawn = ((command: string, args?: readonly string[], options?: { cwd?: string | URL }) => {
    spawns.push({ command, args: [...(args ?? [])], cwd: options?.cwd === undefined ? null : String(options.cwd) })
    return spawn(command, args ?? [], options ?? {})
  }) as typeof childProcess.spawn
  syncBuiltinESMExports()
}

/** Loads the bundle as Electron would, says "ready", and waits for the window's page (or its failure). */
async function start(request: StartRequest): Promise<HarnessReport> {
  const processWithResources = process as NodeJS.Process & { resourcesPath?: string }
  processWithResources.resourcesPath = request.resourcesDir
  ;(process.versions as Record<string, string>).electron = request.electronVersion
  process.argv = [request.executable, ...request.args]
  recordSpawns()
  writeElectronShim(request.appRoot)
  fake = new FakeElectron({
    userDataDir: request.userDataDir,
    onExit: (code) => {
      const exit: HarnessExit = { event: 'exit', code, report: report() }
      process.send?.(exit, undefined, {}, () => process.exit(code))
    },
  })
  ;(globalThis as Record<symbol, unknown>)[FAKE_ELECTRON_KEY] = fake
  const packaged = (await import(pathToFileURL(join(request.appRoot, 'package.json')).href, { with: { type: 'json' } })) as {
    default: { main: string }
  }
  await import(pathToFileURL(join(request.appRoot, packaged.default.main)).href)
  fake.app.becomeReady()
  const electron = fake
  const deadline = Date.now() + 120_000
  while (!electron.windows[0] || electron.windows[0].contents.isLoading() || electron.windows[0].contents.url === '') {
    if (Date.now() > deadline) throw new Error(`no window loaded its page within 120 s; errors: ${errors.join('\n')}`)
    if (errors.length > 0 && !electron.windows[0]) throw new Error(`the main process failed before its window:\n${errors.join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return report()
}

async function answer(request: HarnessRequest): Promise<unknown> {
  if (request.command === 'start') return start(request.start)
  const electron = fake
  if (!electron) throw new Error('not started')
  const contents = electron.windows[0]?.contents
  switch (request.command) {
    case 'report':
      return report()
    case 'serve': {
      const handler = electron.protocolHandlers.get(new URL(request.url).protocol.replace(/:$/, ''))
      if (!handler) throw new Error(`no protocol handler for ${request.url}`)
      const response = await handler(new Request(request.url, { method: request.method ?? 'GET' }))
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
    }
    case 'page':
      return plain(await electron.executeInPage(request.code))
    case 'invokeAs': {
      const handler = electron.ipcHandlers.get(request.channel)
      if (!handler) throw new Error(`no handler for ${request.channel}`)
      return plain(await handler({ sender: { id: request.senderId }, senderFrame: { url: request.frameUrl } }, request.input))
    }
    case 'navigate': {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) }
      contents?.emit('will-navigate', event, request.url)
      return { prevented: event.defaultPrevented }
    }
    case 'windowOpen':
      return plain(contents?.windowOpenHandler?.({ url: request.url }))
    case 'headers': {
      let headers: unknown
      electron.headersReceivedHook?.(
        { url: request.url, responseHeaders: { 'content-type': ['text/html'] } },
        (response) => (headers = response),
      )
      return plain(headers)
    }
    case 'permission': {
      let allowed: boolean | undefined
      electron.permissionRequestHandler?.(contents, request.permission, (value) => (allowed = value))
      return { allowed }
    }
    case 'closeWindow':
      electron.windows.find((window) => !window.destroyed)?.close()
      return null
  }
}

process.on('message', (request: HarnessRequest) => {
  answer(request).then(
    (value) => process.send?.({ id: request.id, ok: true, value }),
    (error: unknown) =>
      process.send?.({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  )
})
