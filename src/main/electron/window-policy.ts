import type { BrowserWindowConstructorOptions, HandlerDetails } from 'electron'

/** The main window's options: isolated, sandboxed, no Node in the renderer. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Realtime Attribution',
    backgroundColor: '#f6f7fb',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  }
}

/** True when a navigation stays on the app's own page (a reload); everything else is denied. */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  try {
    const target = new URL(targetUrl)
    const app = new URL(appUrl)
    return target.origin === app.origin && target.pathname === app.pathname
  } catch {
    return false
  }
}

/** Links the app may hand to the OS browser: https only. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:'
  } catch {
    return false
  }
}

/** Denies every new window; an https link opens in the OS browser instead. */
export function handleWindowOpen(details: Pick<HandlerDetails, 'url'>, openExternal: (url: string) => void): { action: 'deny' } {
  if (isExternalLinkAllowed(details.url)) openExternal(details.url)
  return { action: 'deny' }
}

/** True when an IPC message comes from the app's own window and page. */
export function isTrustedSender(
  sender: { senderId: number; frameUrl: string | undefined },
  app: { webContentsId: number | undefined; appUrl: string },
): boolean {
  if (app.webContentsId === undefined || sender.senderId !== app.webContentsId || !sender.frameUrl) return false
  return isAllowedNavigation(sender.frameUrl, app.appUrl)
}
