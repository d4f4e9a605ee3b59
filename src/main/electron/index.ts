// The Electron entry: thin glue over the same services the CLI and the browser bridge use.
import { join } from 'node:path'
import { BrowserWindow, app, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron'
import type { JobProgress, MartsChanged } from '@shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { SHUTDOWN_TIMEOUT_MS, armExitWatchdog } from '../shutdown'
import { safeStorageCipher } from '../credentials/secret-cipher'
import { warehousePath } from '../paths'
import { CONTENT_SECURITY_POLICY } from '../bridge/server'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, chooseRendererUrl, serveAppRequest } from './app-protocol'
import { bindIpcHandlers } from './ipc'
import { armSmokeTest, parseSmokeTestFlag, runSmokeTest } from './smoke-test'
import { handleWindowOpen, isAllowedNavigation, isTrustedSender, mainWindowOptions } from './window-policy'

let mainWindow: BrowserWindow | undefined
let servicesReady: Promise<AppServices> | undefined
/** The status the bounded quit exits with: the smoke test's verdict, else 0. */
let quitExitCode = 0

/** The app's page: app:// from the built files; electron-vite's dev server only in an unpackaged dev build. */
const rendererUrl = chooseRendererUrl({
  isPackaged: app.isPackaged,
  isDevBuild: import.meta.env.DEV,
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
})

const smokeTest = parseSmokeTestFlag(process.argv)
const smokeLog = (line: string) => console.log(line)
if (smokeTest) {
  // The smoke generates sample data: never in the person's own data folder.
  app.setPath('userData', smokeTest.dataDir)
  armSmokeTest({ log: smokeLog, exitNow: (code) => app.exit(code) })
}

// Custom schemes get their privileges only before the app is ready.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])

/** safeStorage is usable only once the app is ready (on Linux it needs the keyring), so services start then. */
function startServices(): Promise<AppServices> {
  return createAppServices({
    warehousePath: warehousePath(process.env.ATTRIBUTION_WAREHOUSE ?? join(app.getPath('userData'), 'warehouse.duckdb')),
    userDataDir: app.getPath('userData'),
    cipher: safeStorageCipher(safeStorage),
    chooseKeyFile: async () => {
      const options = {
        title: 'Choose a BigQuery service-account key',
        properties: ['openFile'] as Array<'openFile'>,
        filters: [{ name: 'Service-account key', extensions: ['json'] }],
      }
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    host: {
      chooseImportFiles: async () => {
        const options = {
          title: 'Import GA4 export files',
          properties: ['openFile', 'multiSelections'] as Array<'openFile' | 'multiSelections'>,
          filters: [{ name: 'GA4 exports', extensions: ['parquet', 'json', 'ndjson', 'jsonl', 'gz'] }],
        }
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : result.filePaths
      },
      openExternal: (url) => shell.openExternal(url),
      log: (message) => console.error(message),
    },
  })
}

/** Serves the built renderer folder, and nothing outside it, as app://renderer/. */
function setupAppProtocol(): void {
  const rendererRoot = join(__dirname, '../renderer')
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererRoot))
}

function setupSecurity(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault()
    })
    contents.setWindowOpenHandler((details) => handleWindowOpen(details, (url) => void shell.openExternal(url)))
  })
}

async function setupIpc(): Promise<void> {
  servicesReady = startServices()
  const services = await servicesReady
  bindIpcHandlers(ipcMain, services.handlers, (sender) =>
    isTrustedSender(sender, { webContentsId: mainWindow?.webContents.id, appUrl: rendererUrl }),
  )
  const push = (progress: JobProgress) => mainWindow?.webContents.send('job:progress', progress)
  services.jobs.onProgress(push)
  services.refresh.onProgress(push)
  services.onMartsChanged((change: MartsChanged) => mainWindow?.webContents.send('marts:changed', change))
}

function createWindow(): void {
  mainWindow = new BrowserWindow(mainWindowOptions(join(__dirname, '../preload/index.cjs')))
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  mainWindow.on('closed', () => {
    mainWindow = undefined
  })
  void mainWindow.loadURL(rendererUrl)
}

void app.whenReady().then(async () => {
  setupAppProtocol()
  setupSecurity()
  await setupIpc()
  createWindow()
  if (smokeTest && mainWindow) {
    smokeLog(`[smoke] data folder ${smokeTest.dataDir}`)
    void runSmokeTest(mainWindow.webContents, { log: smokeLog }).then((code) => {
      quitExitCode = code
      app.quit()
    })
  }
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let isQuitting = false
// A bounded quit: stop streaming, kill dbt, close DuckDB, and exit even when its teardown hangs.
app.on('will-quit', (event) => {
  if (isQuitting || !servicesReady) return
  event.preventDefault()
  isQuitting = true
  armExitWatchdog(SHUTDOWN_TIMEOUT_MS + 2_000)
  void servicesReady.then((services) => services.shutdown(SHUTDOWN_TIMEOUT_MS)).finally(() => app.exit(quitExitCode))
})
process.on('SIGTERM', () => app.quit())
process.on('SIGINT', () => app.quit())
