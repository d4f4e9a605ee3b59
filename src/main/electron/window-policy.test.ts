import { describe, expect, it } from 'vitest'
import { APP_PAGE_URL } from './app-protocol'
import { handleWindowOpen, isAllowedNavigation, isExternalLinkAllowed, isTrustedSender, mainWindowOptions } from './window-policy'

const APP_URL = APP_PAGE_URL
const DEV_URL = 'http://localhost:5173/'

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
    expect(APP_URL).toBe('app://renderer/index.html')
    expect(isAllowedNavigation(APP_URL, APP_URL)).toBe(true)
    expect(isAllowedNavigation(`${APP_URL}#/trends`, APP_URL)).toBe(true)
    expect(isAllowedNavigation(`${APP_URL}?tab=live`, APP_URL)).toBe(true)
    expect(isAllowedNavigation('file:///etc/passwd', APP_URL)).toBe(false)
    expect(isAllowedNavigation('https://example.com/', APP_URL)).toBe(false)
    expect(isAllowedNavigation('not a url', APP_URL)).toBe(false)
  })

  it.each([
    ['the built page over file://', 'file:///opt/app/out/renderer/index.html'],
    ['another app:// host', 'app://evil/index.html'],
    ['an app:// host that only starts like ours', 'app://renderer.evil/index.html'],
    ['another page of the app:// host', 'app://renderer/assets/index.js'],
    ['app:// with credentials', 'app://user:pw@renderer/index.html'],
    ['app:// with a port', 'app://renderer:8080/index.html'],
    ['the dev server in a build that loads app://', DEV_URL],
    ['a javascript: URL', 'javascript:alert(1)'],
  ])('refuses %s', (_name, url) => {
    expect(isAllowedNavigation(url, APP_URL)).toBe(false)
  })

  it('refuses every file:// page even when asked to trust one', () => {
    const filePage = 'file:///opt/app/out/renderer/index.html'
    expect(isAllowedNavigation(filePage, filePage)).toBe(false)
  })

  it('allows the dev server page only when it is the app page, and nothing else on another port or scheme', () => {
    expect(isAllowedNavigation(`${DEV_URL}#/channels`, DEV_URL)).toBe(true)
    expect(isAllowedNavigation(APP_URL, DEV_URL)).toBe(false)
    expect(isAllowedNavigation('http://localhost:5174/', DEV_URL)).toBe(false)
    expect(isAllowedNavigation('https://localhost:5173/', DEV_URL)).toBe(false)
    expect(isAllowedNavigation('http://localhost:5173/other.html', DEV_URL)).toBe(false)
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

  it('refuses file:// pages, other app:// hosts and the dev server when the app is served over app://', () => {
    expect(isTrustedSender({ senderId: 7, frameUrl: 'file:///opt/app/out/renderer/index.html' }, app)).toBe(false)
    expect(isTrustedSender({ senderId: 7, frameUrl: 'app://evil/index.html' }, app)).toBe(false)
    expect(isTrustedSender({ senderId: 7, frameUrl: DEV_URL }, app)).toBe(false)
  })

  it('trusts the dev server page only when it is the page the window loaded (dev builds)', () => {
    const dev = { webContentsId: 7, appUrl: DEV_URL }
    expect(isTrustedSender({ senderId: 7, frameUrl: `${DEV_URL}#/trends` }, dev)).toBe(true)
    expect(isTrustedSender({ senderId: 7, frameUrl: APP_URL }, dev)).toBe(false)
  })
})
