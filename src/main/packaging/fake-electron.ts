// A recording stand-in for the `electron` module, so the packaged main process and preload run under plain Node.
// Loaded by packaged-start-child.ts (Node's type stripping): erasable TypeScript only, no imports from the app.
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import vm from 'node:vm'

/** Where the shim package `node_modules/electron` finds the fake (set on globalThis before the bundle loads). */
export const FAKE_ELECTRON_KEY = Symbol.for('realtime-attribution.fake-electron')

/** The `electron` exports the fake knows; importing any other name from the shim fails to link. */
export const FAKE_ELECTRON_EXPORTS = [
  'app',
  'BrowserWindow',
  'contextBridge',
  'dialog',
  'ipcMain',
  'ipcRenderer',
  'Menu',
  'protocol',
  'safeStorage',
  'session',
  'shell',
] as const

/** One recorded call into the fake: the API's name and its arguments. */
export interface FakeCall {
  api: string
  args: unknown[]
}

/** What the fake needs from the harness. */
export interface FakeElectronOptions {
  /** app.getPath('userData'): a temporary folder, never the person's own. */
  userDataDir: string
  /** app.exit(code): the harness reports and ends the process, as Electron does. */
  onExit: (code: number) => void
}

/** The `event` Electron hands to listeners that may cancel (will-quit, will-navigate). */
interface CancellableEvent {
  defaultPrevented: boolean
  preventDefault(): void
}

function cancellableEvent(): CancellableEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    },
  }
  return event
}

/** EventEmitter's methods, which Electron's emitters (app, BrowserWindow, webContents) have too. */
const EMITTER_API = [
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'emit',
  'listenerCount',
  'listeners',
  'prependListener',
]
/** The Electron APIs the fake implements, per object; anything else throws. */
const APP_API = [...EMITTER_API, 'isPackaged', 'getPath', 'setPath', 'whenReady', 'isReady', 'quit', 'exit']
const BROWSER_WINDOW_API = [...EMITTER_API, 'webContents', 'loadURL', 'show', 'close', 'destroy', 'isDestroyed']
const WEB_CONTENTS_API = [...EMITTER_API, 'id', 'send', 'executeJavaScript', 'setWindowOpenHandler', 'isLoading', 'getURL']

/** A page as the fake "renders" it: the served HTML, its URL and a JavaScript world with what the preload exposed. */
interface FakePage {
  url: string
  html: string
  context: vm.Context
  listeners: Map<string, Set<(event: unknown, ...args: unknown[]) => void>>
}

/**
 * The fake: every object it hands out is a Proxy that throws on a name outside the Electron APIs it
 * implements (and records it in `unknownApis`, so a swallowed throw still fails the test). Calls are recorded in order.
 */
export class FakeElectron {
  readonly calls: FakeCall[] = []
  readonly unknownApis: string[] = []
  readonly ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  readonly protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>()
  readonly windows: FakeBrowserWindow[] = []
  /** Each window as the bundle holds it (strict). */
  readonly windowViews = new Map<FakeBrowserWindow, FakeBrowserWindow>()
  readonly modules: Record<(typeof FAKE_ELECTRON_EXPORTS)[number] | 'default', unknown>
  readonly app: FakeApp
  headersReceivedHook: ((details: Record<string, unknown>, callback: (response: Record<string, unknown>) => void) => void) | undefined
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (allowed: boolean) => void) => void) | undefined
  /** The page whose preload is loading (one window: the page the bridge and ipcRenderer belong to). */
  page: FakePage | undefined
  private readonly options: FakeElectronOptions
  private nextWebContentsId = 1

  constructor(options: FakeElectronOptions) {
    this.options = options
    this.app = new FakeApp(this, options)
    // The window class below is built here and needs this fake inside its own constructor.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this
    const app = this.strict('app', this.app, APP_API)
    const BrowserWindow = this.strict(
      'BrowserWindow',
      class extends FakeBrowserWindow {
        constructor(windowOptions: Record<string, unknown>) {
          super(fake, windowOptions)
          // The instance the bundle holds is strict too.
          const view = fake.strict('BrowserWindow#instance', this, BROWSER_WINDOW_API)
          fake.windowViews.set(this, view)
          return view
        }

        static getAllWindows(): FakeBrowserWindow[] {
          fake.record('BrowserWindow.getAllWindows', [])
          return fake.windows.filter((window) => !window.destroyed).map((window) => fake.windowViews.get(window)!)
        }
      },
      ['getAllWindows', 'prototype'],
    )
    const ipcMain = this.strict('ipcMain', {
      handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) => {
        this.record('ipcMain.handle', [channel])
        if (this.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
        this.ipcHandlers.set(channel, listener)
      },
      removeHandler: (channel: string) => {
        this.record('ipcMain.removeHandler', [channel])
        this.ipcHandlers.delete(channel)
      },
    })
    const protocol = this.strict('protocol', {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        this.record('protocol.registerSchemesAsPrivileged', [schemes, { isReady: this.app.ready }])
      },
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
        this.record('protocol.handle', [scheme])
        if (!this.app.ready) throw new Error('protocol.handle before the app is ready')
        this.protocolHandlers.set(scheme, handler)
      },
    })
    const safeStorage = this.strict('safeStorage', {
      isEncryptionAvailable: () => this.app.ready,
      getSelectedStorageBackend: () => (process.platform === 'linux' ? 'gnome_libsecret' : 'unknown'),
      // Reversible on purpose: the fake stands in for the OS keyring, not for its cryptography.
      encryptString: (text: string) => Buffer.from(`fake-safe-storage:${Buffer.from(text, 'utf8').toString('base64')}`, 'utf8'),
      decryptString: (data: Buffer) => Buffer.from(data.toString('utf8').replace(/^fake-safe-storage:/, ''), 'base64').toString('utf8'),
    })
    const webRequest = this.strict('session.defaultSession.webRequest', {
      onHeadersReceived: (hook: FakeElectron['headersReceivedHook']) => {
        this.record('session.defaultSession.webRequest.onHeadersReceived', [])
        this.headersReceivedHook = hook
      },
    })
    const defaultSession = this.strict('session.defaultSession', {
      webRequest,
      setPermissionRequestHandler: (handler: FakeElectron['permissionRequestHandler']) => {
        this.record('session.defaultSession.setPermissionRequestHandler', [])
        this.permissionRequestHandler = handler
      },
    })
    const session = this.strict('session', { defaultSession })
    const dialog = this.strict('dialog', {
      // Nobody is there to pick a file: every dialog is cancelled.
      showOpenDialog: async (...args: unknown[]) => {
        this.record(
          'dialog.showOpenDialog',
          args.filter((arg) => !(arg instanceof FakeBrowserWindow)),
        )
        return { canceled: true, filePaths: [] }
      },
      showMessageBox: async (...args: unknown[]) => {
        this.record(
          'dialog.showMessageBox',
          args.filter((arg) => !(arg instanceof FakeBrowserWindow)),
        )
        return { response: 0, checkboxChecked: false }
      },
      showErrorBox: (title: string, content: string) => this.record('dialog.showErrorBox', [title, content]),
    })
    const shell = this.strict('shell', {
      openExternal: async (url: string) => {
        this.record('shell.openExternal', [url])
      },
    })
    const Menu = this.strict('Menu', {
      setApplicationMenu: (menu: unknown) => this.record('Menu.setApplicationMenu', [menu]),
      buildFromTemplate: (template: unknown[]) => {
        this.record('Menu.buildFromTemplate', [template])
        return { items: template }
      },
    })
    const contextBridge = this.strict('contextBridge', {
      exposeInMainWorld: (key: string, api: unknown) => {
        this.record('contextBridge.exposeInMainWorld', [key])
        if (!this.page) throw new Error('contextBridge.exposeInMainWorld outside a preload')
        this.page.context[key] = copyAcrossWorlds(api)
      },
    })
    const ipcRenderer = this.strict('ipcRenderer', {
      invoke: (channel: string, ...args: unknown[]) => this.invokeFromPage(channel, args),
      on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
        this.record('ipcRenderer.on', [channel])
        this.pageListeners(channel).add(listener)
        return ipcRenderer
      },
      off: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
        this.record('ipcRenderer.off', [channel])
        this.pageListeners(channel).delete(listener)
        return ipcRenderer
      },
    })
    const modules = { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, protocol, safeStorage, session, shell }
    this.modules = { ...modules, default: this.strict('electron', { ...modules }) }
  }

  /** Records a call. */
  record(api: string, args: unknown[]): void {
    this.calls.push({ api, args })
  }

  /**
   * Wraps an object so that reading a property outside `api` (Electron's own names for it; by default the
   * object's keys) records the name and throws, so the fake's own fields stay out of the bundle's reach.
   */
  strict<T extends object>(name: string, target: T, api: readonly string[] = Object.keys(target)): T {
    const allowed = new Set(api)
    return new Proxy(target, {
      get: (object, property) => {
        // Symbols (inspection, iteration) and the thenable probe of `await` are not Electron APIs.
        if (typeof property === 'symbol' || property === 'then' || property === '__esModule') return Reflect.get(object, property)
        if (!allowed.has(property)) {
          this.unknownApis.push(`${name}.${property}`)
          throw new TypeError(
            `The fake electron module has no ${name}.${property}: the bundle uses an Electron API the packaged-start test does not know.`,
          )
        }
        const value: unknown = Reflect.get(object, property)
        // A class's methods (from its prototype) run on the object itself; own functions (module entries, classes) as they are.
        return typeof value === 'function' && !Object.hasOwn(object, property) ? value.bind(object) : value
      },
    })
  }

  /** A new webContents id, as Electron numbers them. */
  webContentsId(): number {
    return this.nextWebContentsId++
  }

  /** Loads a page the way a window does: fetches it through the registered protocol, then runs the preload in a fresh world. */
  async loadPage(window: FakeBrowserWindow, url: string): Promise<void> {
    const scheme = new URL(url).protocol.replace(/:$/, '')
    const handler = this.protocolHandlers.get(scheme)
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME: no protocol.handle for ${scheme}: (${url})`)
    const response = await handler(new Request(url))
    if (!response.ok) throw new Error(`ERR_FAILED: ${url} answered ${response.status}`)
    const html = await response.text()
    const context = vm.createContext({})
    vm.runInContext('globalThis.window = globalThis', context)
    context.location = { href: url }
    context.document = fakeDocument(html)
    this.page = { url, html, context, listeners: new Map() }
    const preload = window.options.webPreferences?.preload
    if (typeof preload === 'string') runSandboxedPreload(preload, this.modules.default)
  }

  /** Runs code in the page's world, as webContents.executeJavaScript does; the result crosses as a structured clone. */
  async executeInPage(code: string): Promise<unknown> {
    if (!this.page) throw new Error('executeJavaScript before a page loaded')
    return structuredClone(await vm.runInContext(code, this.page.context))
  }

  /** webContents.send: delivered to the page's ipcRenderer listeners. */
  sendToPage(channel: string, args: unknown[]): void {
    const event = { sender: this.modules.ipcRenderer }
    for (const listener of this.page?.listeners.get(channel) ?? []) listener(event, ...structuredClone(args))
  }

  /** ipcRenderer.invoke: the main process's handler, called with an event from the window that shows the page. */
  private async invokeFromPage(channel: string, args: unknown[]): Promise<unknown> {
    this.record('ipcRenderer.invoke', [channel])
    const handler = this.ipcHandlers.get(channel)
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`)
    const window = this.windows.find((candidate) => !candidate.destroyed)
    if (!window || !this.page) throw new Error(`Error invoking remote method '${channel}': no window`)
    const senderFrame = this.strict('WebFrameMain', { url: this.page.url })
    const event = this.strict('IpcMainInvokeEvent', { sender: window.webContents, senderFrame, processId: 1, frameId: 1 })
    return structuredClone(await handler(event, ...structuredClone(args)))
  }

  private pageListeners(channel: string): Set<(event: unknown, ...args: unknown[]) => void> {
    if (!this.page) throw new Error('ipcRenderer outside a page')
    let listeners = this.page.listeners.get(channel)
    if (!listeners) this.page.listeners.set(channel, (listeners = new Set()))
    return listeners
  }

  /** Electron's exit: the harness reports and ends the process. */
  exit(code: number): void {
    this.options.onExit(code)
  }
}

/** The app module: ready once the harness says so, quits the way Electron does. */
export class FakeApp extends EventEmitter {
  ready = false
  isQuitting = false
  private readonly fake: FakeElectron
  private readonly options: FakeElectronOptions
  private readonly readyPromise: Promise<void>
  private readonly paths = new Map<string, string>()
  private resolveReady: () => void = () => undefined

  constructor(fake: FakeElectron, options: FakeElectronOptions) {
    super()
    this.fake = fake
    this.options = options
    this.readyPromise = new Promise((resolve) => {
      this.resolveReady = resolve
    })
  }

  /** Installed and run from the package: the bundle must behave as it does on a person's machine. */
  get isPackaged(): boolean {
    return true
  }

  getPath(name: string): string {
    this.fake.record('app.getPath', [name])
    const path = this.paths.get(name) ?? (name === 'userData' ? this.options.userDataDir : name === 'temp' ? tmpdir() : undefined)
    if (path === undefined) throw new Error(`The fake app.getPath does not know '${name}'`)
    return path
  }

  setPath(name: string, path: string): void {
    this.fake.record('app.setPath', [name, path, { isReady: this.ready }])
    this.paths.set(name, path)
  }

  whenReady(): Promise<void> {
    this.fake.record('app.whenReady', [])
    return this.readyPromise
  }

  isReady(): boolean {
    return this.ready
  }

  /** The harness's "Electron finished starting". */
  becomeReady(): void {
    this.ready = true
    this.emit('ready')
    this.resolveReady()
  }

  /** before-quit, close every window, will-quit, quit: each of the two may be cancelled, as in Electron. */
  quit(): void {
    this.fake.record('app.quit', [])
    const beforeQuit = cancellableEvent()
    this.emit('before-quit', beforeQuit)
    if (beforeQuit.defaultPrevented) return
    this.isQuitting = true
    for (const window of this.fake.windows.filter((candidate) => !candidate.destroyed)) window.destroy()
    const willQuit = cancellableEvent()
    this.emit('will-quit', willQuit)
    if (willQuit.defaultPrevented) return
    this.emit('quit', cancellableEvent(), 0)
    this.fake.exit(0)
  }

  exit(code = 0): void {
    this.fake.record('app.exit', [code])
    this.fake.exit(code)
  }
}

/** A window: its webContents, the preload, the page loaded through the registered protocol. */
export class FakeBrowserWindow extends EventEmitter {
  readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>
  /** The webContents as the fake drives it; the bundle gets `webContents`, the strict view of it. */
  readonly contents: FakeWebContents
  readonly webContents: FakeWebContents
  destroyed = false
  visible = false
  private readonly fake: FakeElectron

  constructor(fake: FakeElectron, options: Record<string, unknown>) {
    super()
    this.fake = fake
    this.options = options
    fake.record('new BrowserWindow', [options])
    fake.windows.push(this)
    this.contents = new FakeWebContents(fake)
    this.webContents = fake.strict('webContents', this.contents, WEB_CONTENTS_API)
    fake.app.emit('web-contents-created', cancellableEvent(), this.webContents)
  }

  async loadURL(url: string): Promise<void> {
    this.fake.record('BrowserWindow#loadURL', [url])
    this.contents.url = url
    this.contents.loading = true
    try {
      await this.fake.loadPage(this, url)
    } catch (error) {
      this.contents.loading = false
      this.contents.emit('did-fail-load', cancellableEvent(), -2, String(error), url)
      throw error
    }
    this.contents.loading = false
    this.contents.emit('did-finish-load')
    this.emit('ready-to-show')
  }

  show(): void {
    this.fake.record('BrowserWindow#show', [])
    this.visible = true
  }

  /** The person closes the window: close, closed, and window-all-closed when it was the last. */
  close(): void {
    this.fake.record('BrowserWindow#close', [])
    const close = cancellableEvent()
    this.emit('close', close)
    if (close.defaultPrevented) return
    this.destroy()
    if (!this.fake.app.isQuitting && this.fake.windows.every((window) => window.destroyed)) this.fake.app.emit('window-all-closed')
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.emit('closed')
  }

  isDestroyed(): boolean {
    return this.destroyed
  }
}

/** The window's webContents: an id, pushes to the page, executeJavaScript in the page's world. */
export class FakeWebContents extends EventEmitter {
  readonly id: number
  url = ''
  loading = false
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  private readonly fake: FakeElectron

  constructor(fake: FakeElectron) {
    super()
    this.fake = fake
    this.id = fake.webContentsId()
  }

  send(channel: string, ...args: unknown[]): void {
    this.fake.record('webContents.send', [channel])
    this.fake.sendToPage(channel, args)
  }

  executeJavaScript(code: string): Promise<unknown> {
    this.fake.record('webContents.executeJavaScript', [code])
    return this.fake.executeInPage(code)
  }

  setWindowOpenHandler(handler: FakeWebContents['windowOpenHandler']): void {
    this.fake.record('webContents.setWindowOpenHandler', [])
    this.windowOpenHandler = handler
  }

  isLoading(): boolean {
    return this.loading
  }

  getURL(): string {
    return this.url
  }
}

/**
 * The page's `document` as served: the fake runs no renderer script, so it knows the title and the
 * elements' ids from the HTML, and every element stays as the HTML has it (the app's root empty).
 */
function fakeDocument(html: string): Record<string, unknown> {
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? ''
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]))
  return {
    title,
    readyState: 'complete',
    getElementById: (id: string) => (ids.has(id) ? { id, childElementCount: 0 } : null),
  }
}

/** contextBridge's copy: plain data is cloned, functions stay callable and their arguments are cloned on the way in. */
function copyAcrossWorlds(value: unknown): unknown {
  if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown
    return (...args: unknown[]) => fn(...args.map((arg) => (typeof arg === 'function' ? arg : structuredClone(arg))))
  }
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copyAcrossWorlds(inner)]))
}

/**
 * Runs a preload as a sandboxed renderer does: CommonJS whose `require` gives only `electron` (a sandboxed
 * preload cannot load files or Node modules), so a preload that needs more fails here as it would there.
 */
function runSandboxedPreload(path: string, electron: unknown): void {
  const source = readFileSync(path, 'utf8')
  const sandboxRequire = (name: string) => {
    if (name === 'electron') return electron
    throw new Error(`A sandboxed preload cannot require('${name}') (${path})`)
  }
  const module = { exports: {} }
  const run = vm.compileFunction(source, ['exports', 'require', 'module'], { filename: path })
  run(module.exports, sandboxRequire, module)
}
