import { describe, expect, it } from 'vitest'
import { handleWindowOpen, isAllowedNavigation, isExternalLinkAllowed, isTrustedSender, mainWindowOptions } from './window-policy'

const APP_URL = 'file:///opt/app/out/renderer/index.html'

describe('main window options', () => {
  it('isolates and sandboxes the renderer with no Node', () => {
    const prefs = mainWindowOptions('/opt/app/out/preload/index.cjs').webPreferences
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/opt/app/out/preload/index.cjs',
    })
  })
})

describe('navigation', () => {
  it('allows only reloading the app page', () => {
    expect(isAllowedNavigation(APP_URL, APP_URL)).toBe(true)
    expect(isAllowedNavigation(`${APP_URL}#/trends`, APP_URL)).toBe(true)
    expect(isAllowedNavigation('file:///etc/passwd', APP_URL)).toBe(false)
    expect(isAllowedNavigation('https://example.com/', APP_URL)).toBe(false)
    expect(isAllowedNavigation('not a url', APP_URL)).toBe(false)
  })

  it('denies every new window and hands only https links to the OS browser', () => {
    const opened: string[] = []
    const open = (url: string) => opened.push(url)
    for (const url of ['https://support.google.com/analytics', 'http://example.com', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(handleWindowOpen({ url }, open)).toEqual({ action: 'deny' })
    }
    expect(opened).toEqual(['https://support.google.com/analytics'])
    expect(isExternalLinkAllowed('mailto:a@b.c')).toBe(false)
  })
})

describe('IPC sender check', () => {
  const app = { webContentsId: 7, appUrl: APP_URL }

  it('trusts the app window on the app page', () => {
    expect(isTrustedSender({ senderId: 7, frameUrl: APP_URL }, app)).toBe(true)
  })

  it('refuses other windows, other pages, frames without a URL and a missing window', () => {
    expect(isTrustedSender({ senderId: 8, frameUrl: APP_URL }, app)).toBe(false)
    expect(isTrustedSender({ senderId: 7, frameUrl: 'https://evil.example/' }, app)).toBe(false)
    expect(isTrustedSender({ senderId: 7, frameUrl: undefined }, app)).toBe(false)
    expect(isTrustedSender({ senderId: 7, frameUrl: APP_URL }, { webContentsId: undefined, appUrl: APP_URL })).toBe(false)
  })
})
