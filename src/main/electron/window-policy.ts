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

// file: is never an app page; the app is served over app:// (packaged) or http(s) (dev server only).
const APP_PAGE_PROTOCOLS = new Set(['app:', 'http:', 'https:'])

/**
 * True when a navigation stays on the app's own page (a reload, or a hash change); everything else is denied.
 * Compares scheme, host and path rather than URL.origin, which WHATWG URL reports as "null" for app://.
 */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  try {
    const target = new URL(targetUrl)
    const app = new URL(appUrl)
    return (
      APP_PAGE_PROTOCOLS.has(app.protocol) &&
      target.protocol === app.protocol &&
      target.host.toLowerCase() === app.host.toLowerCase() &&
      target.username === '' &&
      target.password === '' &&
      target.pathname === app.pathname
    )
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
