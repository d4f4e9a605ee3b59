// Where the renderer page comes from: the built files over app://, or electron-vite's dev server in dev only.
import { readFile, stat } from 'node:fs/promises'
import { extname, isAbsolute, join, relative } from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../bridge/server'
import { RENDERER_CONTENT_TYPES } from '../content-types'

/** The custom scheme the packaged renderer is served on, instead of file://. */
export const APP_SCHEME = 'app'
/** The one host of that scheme; every other host is refused. */
export const APP_HOST = 'renderer'
/** The app's own page; navigation and IPC trust only this page (and the dev server in dev). */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * Privileges for protocol.registerSchemesAsPrivileged: a standard, secure origin (app://renderer) so
 * 'self' in the CSP and same-origin module scripts work. corsEnabled and bypassCSP stay off, so other
 * origins cannot read app:// and the CSP always applies.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The URL the main window loads. electron-vite's ELECTRON_RENDERER_URL is honoured only in an unpackaged
 * dev build (`electron-vite dev`), and only for an http(s) loopback server; anywhere else it is ignored.
 */
export function chooseRendererUrl(context: { isPackaged: boolean; isDevBuild: boolean; devServerUrl: string | undefined }): string {
  if (context.isPackaged || !context.isDevBuild || !context.devServerUrl) return APP_PAGE_URL
  try {
    const url = new URL(context.devServerUrl)
    const isLoopbackHttp = (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname)
    return isLoopbackHttp && url.username === '' && url.password === '' ? url.href : APP_PAGE_URL
  } catch {
    return APP_PAGE_URL
  }
}

/** What an app:// request maps to: a file under the renderer folder, or a refusal with its HTTP status. */
export type AppRequestTarget = { ok: true; filePath: string; contentType: string } | { ok: false; status: 400 | 403 | 404; reason: string }

// Read from the raw string, not from WHATWG URL parsing, which would silently fold "%2e%2e" and "..".
const APP_URL_PATTERN = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\\]*)([^?#]*)/i

/**
 * Maps an app:// request URL to a file under rendererRoot, without touching the disk. Query and hash are
 * ignored and "/" is index.html; traversal (also percent-encoded), backslashes, empty or absolute segments,
 * drive letters and null bytes are refused.
 */
export function resolveAppRequest(requestUrl: string, rendererRoot: string): AppRequestTarget {
  const match = APP_URL_PATTERN.exec(requestUrl)
  if (!match || match[1]?.toLowerCase() !== APP_SCHEME) return { ok: false, status: 400, reason: 'Not an app:// URL.' }
  if (match[2]?.toLowerCase() !== APP_HOST) return { ok: false, status: 404, reason: 'Unknown app:// host.' }
  const rawPath = match[3] || '/'
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return { ok: false, status: 400, reason: 'Malformed percent-encoding.' }
  }
  if (!path.startsWith('/')) return { ok: false, status: 400, reason: 'The path must start with "/".' }
  const segments = path === '/' ? ['index.html'] : path.slice(1).split('/')
  const isUnsafe = (segment: string) => segment === '' || segment === '.' || segment === '..' || /[\\:\0]/.test(segment)
  if (segments.some(isUnsafe)) return { ok: false, status: 403, reason: 'Refused path.' }
  const filePath = join(rendererRoot, ...segments)
  const inside = relative(rendererRoot, filePath)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { ok: false, status: 403, reason: 'Refused path.' }
  return { ok: true, filePath, contentType: RENDERER_CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream' }
}

/** Answers one app:// request from the built renderer folder; the handler behind protocol.handle. */
export async function serveAppRequest(request: { url: string; method: string }, rendererRoot: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed.')
  const target = resolveAppRequest(request.url, rendererRoot)
  if (!target.ok) return textResponse(target.status, target.reason)
  let body: Buffer
  try {
    if (!(await stat(target.filePath)).isFile()) return textResponse(404, 'Not found.')
    body = await readFile(target.filePath)
  } catch {
    return textResponse(404, 'Not found.')
  }
  const headers: Record<string, string> = {
    'content-type': target.contentType,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  }
  if (target.filePath.endsWith('.html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
}

function textResponse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } })
}
