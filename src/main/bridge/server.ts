import { createReadStream, existsSync, statSync } from 'node:fs'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { type ApiEvents, type JobProgress, type MartsChanged, isApiChannel } from '@shared/api'
import type { ApiHandlers } from '../api/handlers'
import { RENDERER_CONTENT_TYPES } from '../content-types'

/** Largest request body the bridge reads; API requests are small JSON objects. */
const MAX_BODY_BYTES = 64 * 1024

/** The same Content-Security-Policy the Electron window enforces. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/** What the bridge serves. */
export interface BridgeOptions {
  handlers: ApiHandlers
  /** The built renderer (out/renderer). */
  staticDir: string
  onJobProgress: (listener: (progress: JobProgress) => void) => () => void
  onMartsChanged: (listener: (change: MartsChanged) => void) => () => void
  port?: number
}

/** A running bridge. */
export interface Bridge {
  url: string
  server: Server
  close(): Promise<void>
}

/**
 * The browser bridge: serves the built renderer and the same API as the IPC, on loopback only,
 * so the real renderer runs in a plain browser (tests, and the dashboard in a browser).
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const staticRoot = resolve(options.staticDir)
  let port = 0
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendJson(response, 500, { ok: false, error: `The bridge failed: ${error instanceof Error ? error.message : String(error)}` })
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Loopback names only: a page on another site that rebinds its DNS to 127.0.0.1 is refused.
    const host = request.headers.host ?? ''
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return sendText(response, 403, 'Forbidden host')
    const url = new URL(request.url ?? '/', `http://${host}`)
    if (url.pathname === '/api/events' && request.method === 'GET') return streamEvents(response)
    if (url.pathname.startsWith('/api/')) {
      const channel = decodeURIComponent(url.pathname.slice('/api/'.length))
      if (request.method !== 'POST') return sendJson(response, 405, { ok: false, error: 'Use POST.' })
      const origin = request.headers.origin
      if (origin !== undefined && origin !== `http://${host}`)
        return sendJson(response, 403, { ok: false, error: 'Cross-origin requests are refused.' })
      if (!isApiChannel(channel)) return sendJson(response, 404, { ok: false, error: `Unknown channel ${channel.slice(0, 60)}` })
      const body = await readJsonBody(request)
      if (!body.ok) return sendJson(response, 400, { ok: false, error: body.error })
      const result = await options.handlers[channel](body.value)
      return sendJson(response, 200, result)
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Method not allowed')
    return serveStatic(url.pathname, response)
  }

  function streamEvents(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    response.write(': connected\n\n')
    const send = <E extends keyof ApiEvents>(event: E, data: ApiEvents[E]) =>
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    const stops = [
      options.onJobProgress((progress) => send('job:progress', progress)),
      options.onMartsChanged((change) => send('marts:changed', change)),
    ]
    response.on('close', () => {
      for (const stop of stops) stop()
    })
  }

  function serveStatic(pathname: string, response: ServerResponse): void {
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '')
    let file = join(staticRoot, relative)
    if (!file.startsWith(staticRoot + sep) && file !== staticRoot) return sendText(response, 403, 'Forbidden path')
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(staticRoot, 'index.html')
    if (!existsSync(file)) return sendText(response, 503, 'The renderer is not built: run `npm run build` first.')
    const headers: Record<string, string> = {
      'content-type': RENDERER_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    }
    if (file.endsWith('.html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
    response.writeHead(200, headers)
    createReadStream(file).pipe(response)
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen())
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections()
        server.close(() => resolveClose())
      }),
  }
}

async function readJsonBody(request: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) return { ok: false, error: 'The request is too large.' }
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, error: 'The request body is not valid JSON.' }
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  response.end(JSON.stringify(body))
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(text)
}
