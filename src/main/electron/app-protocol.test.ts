import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../bridge/server'
import { makeTempDir } from '../testing/fixtures'
import { APP_PAGE_URL, chooseRendererUrl, resolveAppRequest, serveAppRequest } from './app-protocol'

const ROOT = '/opt/app/out/renderer'
const DEV_SERVER = 'http://localhost:5173'

describe('which page the window loads', () => {
  it('honours the dev server only in an unpackaged dev build', () => {
    expect(chooseRendererUrl({ isPackaged: false, isDevBuild: true, devServerUrl: DEV_SERVER })).toBe(`${DEV_SERVER}/`)
    expect(chooseRendererUrl({ isPackaged: false, isDevBuild: true, devServerUrl: 'http://127.0.0.1:5173/' })).toBe(
      'http://127.0.0.1:5173/',
    )
    expect(chooseRendererUrl({ isPackaged: false, isDevBuild: true, devServerUrl: 'http://[::1]:5173' })).toBe('http://[::1]:5173/')
  })

  it.each([
    ['a packaged app', { isPackaged: true, isDevBuild: false, devServerUrl: DEV_SERVER }],
    ['a packaged app even if built in dev mode', { isPackaged: true, isDevBuild: true, devServerUrl: DEV_SERVER }],
    ['a production build run unpackaged (electron-vite preview)', { isPackaged: false, isDevBuild: false, devServerUrl: DEV_SERVER }],
    ['no dev server', { isPackaged: false, isDevBuild: true, devServerUrl: undefined }],
    ['an empty variable', { isPackaged: false, isDevBuild: true, devServerUrl: '' }],
    ['a server on another machine', { isPackaged: false, isDevBuild: true, devServerUrl: 'http://192.168.1.20:5173' }],
    ['a remote site', { isPackaged: false, isDevBuild: true, devServerUrl: 'https://evil.example/' }],
    ['a file URL', { isPackaged: false, isDevBuild: true, devServerUrl: 'file:///tmp/evil.html' }],
    ['credentials in the URL', { isPackaged: false, isDevBuild: true, devServerUrl: 'http://user:pw@localhost:5173' }],
    ['not a URL', { isPackaged: false, isDevBuild: true, devServerUrl: 'localhost:5173 oops' }],
  ])('loads the app:// page for %s', (_name, context) => {
    expect(chooseRendererUrl(context)).toBe(APP_PAGE_URL)
  })
})

describe('app:// request to file', () => {
  it.each([
    ['app://renderer/', 'index.html', 'text/html; charset=utf-8'],
    ['app://renderer', 'index.html', 'text/html; charset=utf-8'],
    ['app://renderer/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['app://renderer/index.html#/trends', 'index.html', 'text/html; charset=utf-8'],
    ['app://renderer/?tab=live#/feed', 'index.html', 'text/html; charset=utf-8'],
    ['app://RENDERER/assets/index-abc123.js', 'assets/index-abc123.js', 'text/javascript; charset=utf-8'],
    ['app://renderer/assets/index-abc123.js?v=2', 'assets/index-abc123.js', 'text/javascript; charset=utf-8'],
    ['app://renderer/assets/index-abc123.css', 'assets/index-abc123.css', 'text/css; charset=utf-8'],
    ['app://renderer/assets/logo.svg', 'assets/logo.svg', 'image/svg+xml'],
    ['app://renderer/assets/chart.PNG', 'assets/chart.PNG', 'image/png'],
    ['app://renderer/assets/inter.woff2', 'assets/inter.woff2', 'font/woff2'],
    ['app://renderer/assets/data.json', 'assets/data.json', 'application/json'],
    ['app://renderer/assets/my%20file.js', 'assets/my file.js', 'text/javascript; charset=utf-8'],
    ['app://renderer/assets/blob.bin', 'assets/blob.bin', 'application/octet-stream'],
  ])('maps %s to %s', (url, file, contentType) => {
    expect(resolveAppRequest(url, ROOT)).toEqual({ ok: true, filePath: join(ROOT, file), contentType })
  })

  it.each([
    ['a parent segment', 'app://renderer/../secret.txt'],
    ['a nested parent segment', 'app://renderer/assets/../../main/index.js'],
    ['an encoded parent segment', 'app://renderer/%2e%2e/main/index.js'],
    ['an upper-case encoded parent segment', 'app://renderer/assets/%2E%2E/%2E%2E/main/index.js'],
    ['a half-encoded parent segment', 'app://renderer/.%2e/main/index.js'],
    ['an encoded slash forming a parent segment', 'app://renderer/assets%2f..%2f..%2fmain/index.js'],
    ['a current-directory segment', 'app://renderer/./index.html'],
    ['a backslash', 'app://renderer/assets\\..\\..\\main\\index.js'],
    ['an encoded backslash', 'app://renderer/assets%5c..%5c..%5cmain%5cindex.js'],
    ['an absolute path', 'app://renderer//etc/passwd'],
    ['an encoded absolute path', 'app://renderer/%2fetc%2fpasswd'],
    ['a Windows drive', 'app://renderer/C:/Windows/win.ini'],
    ['an encoded Windows drive', 'app://renderer/C%3a%5cWindows%5cwin.ini'],
    ['a null byte', 'app://renderer/index.html%00.png'],
    ['a directory with a trailing slash', 'app://renderer/assets/'],
  ])('refuses %s', (_name, url) => {
    expect(resolveAppRequest(url, ROOT)).toMatchObject({ ok: false, status: 403 })
  })

  it.each([
    ['another host', 'app://evil/index.html', 404],
    ['a host with credentials', 'app://user@renderer/index.html', 404],
    ['a host with a port', 'app://renderer:80/index.html', 404],
    ['another scheme', 'file:///opt/app/out/renderer/index.html', 400],
    ['an https URL', 'https://renderer/index.html', 400],
    ['not a URL', 'index.html', 400],
    ['broken percent-encoding', 'app://renderer/%E0%A4%A.js', 400],
  ])('refuses %s', (_name, url, status) => {
    expect(resolveAppRequest(url, ROOT)).toMatchObject({ ok: false, status })
  })

  it('leaves double-encoded dots as a literal name inside the folder', () => {
    expect(resolveAppRequest('app://renderer/%252e%252e/index.html', ROOT)).toMatchObject({
      ok: true,
      filePath: join(ROOT, '%2e%2e', 'index.html'),
    })
  })
})

describe('serving app:// from the renderer folder', () => {
  const temp = makeTempDir('app-protocol')
  const root = join(temp.dir, 'renderer')
  beforeAll(() => {
    mkdirSync(join(root, 'assets'), { recursive: true })
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(root, 'assets', 'index.js'), 'console.log(1)')
    writeFileSync(join(temp.dir, 'secret.txt'), 'outside the renderer folder')
  })
  afterAll(() => temp.cleanup())

  const get = (url: string) => serveAppRequest({ url, method: 'GET' }, root)

  it('serves the page with the CSP and its scripts with their type', async () => {
    const page = await get('app://renderer/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<title>app</title>')
    const script = await get('app://renderer/assets/index.js?v=1')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('content-security-policy')).toBeNull()
    expect(await script.text()).toBe('console.log(1)')
  })

  it('answers 404 for a missing file or a directory, never the page instead', async () => {
    expect((await get('app://renderer/assets/missing.js')).status).toBe(404)
    expect((await get('app://renderer/assets')).status).toBe(404)
  })

  it('never reads outside the folder', async () => {
    for (const url of ['app://renderer/../secret.txt', 'app://renderer/%2e%2e/secret.txt', 'app://renderer/..%5csecret.txt']) {
      const response = await get(url)
      expect(response.status).toBe(403)
      expect(await response.text()).not.toContain('outside')
    }
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await serveAppRequest({ url: 'app://renderer/index.html', method: 'HEAD' }, root)
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await serveAppRequest({ url: 'app://renderer/index.html', method: 'POST' }, root)).status).toBe(405)
  })
})
