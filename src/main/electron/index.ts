// The Electron entry: thin glue over the same services the CLI and the browser bridge use.
import { join } from 'node:path'
import { BrowserWindow, app, dialog, ipcMain, session, shell } from 'electron'
import { createAppServices } from '../app-services'
import { warehousePath } from '../paths'
import { CONTENT_SECURITY_POLICY } from '../bridge/server'
import { bindIpcHandlers } from './ipc'
import { handleWindowOpen, isAllowedNavigation, isTrustedSender, mainWindowOptions } from './window-policy'

let mainWindow: BrowserWindow | undefined
const services = createAppServices({
  warehousePath: warehousePath(process.env.ATTRIBUTION_WAREHOUSE ?? join(app.getPath('userData'), 'warehouse.duckdb')),
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

function setupIpc(): void {
  bindIpcHandlers(ipcMain, services.handlers, (sender) =>
    isTrustedSender(sender, { webContentsId: mainWindow?.webContents.id, appUrl: appUrl() }),
  )
  services.jobs.onProgress((progress) => mainWindow?.webContents.send('job:progress', progress))
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

void app.whenReady().then(() => {
  setupSecurity()
  setupIpc()
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', () => {
  void services.close()
})
