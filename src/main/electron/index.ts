// The Electron entry: thin glue over the same services the CLI and the browser bridge use.
import { join } from 'node:path'
import { BrowserWindow, app, dialog, ipcMain, safeStorage, session, shell } from 'electron'
import type { JobProgress } from '../../shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { safeStorageCipher } from '../credentials/secret-cipher'
import { warehousePath } from '../paths'
import { CONTENT_SECURITY_POLICY } from '../bridge/server'
import { bindIpcHandlers } from './ipc'
import { handleWindowOpen, isAllowedNavigation, isTrustedSender, mainWindowOptions } from './window-policy'

let mainWindow: BrowserWindow | undefined
let servicesReady: Promise<AppServices> | undefined

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

function appUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? `file://${join(__dirname, '../renderer/index.html')}`
}

function setupSecurity(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, appUrl())) event.preventDefault()
    })
    contents.setWindowOpenHandler((details) => handleWindowOpen(details, (url) => void shell.openExternal(url)))
  })
}

async function setupIpc(): Promise<void> {
  servicesReady = startServices()
  const services = await servicesReady
  bindIpcHandlers(ipcMain, services.handlers, (sender) =>
    isTrustedSender(sender, { webContentsId: mainWindow?.webContents.id, appUrl: appUrl() }),
  )
  const push = (progress: JobProgress) => mainWindow?.webContents.send('job:progress', progress)
  services.jobs.onProgress(push)
  services.refresh.onProgress(push)
}

function createWindow(): void {
  mainWindow = new BrowserWindow(mainWindowOptions(join(__dirname, '../preload/index.cjs')))
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  mainWindow.on('closed', () => {
    mainWindow = undefined
  })
  if (process.env.ELECTRON_RENDERER_URL) void mainWindow.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void mainWindow.loadFile(join(__dirname, '../renderer/index.html'))
}

void app.whenReady().then(async () => {
  setupSecurity()
  await setupIpc()
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', () => {
  void servicesReady?.then((services) => services.close())
})
