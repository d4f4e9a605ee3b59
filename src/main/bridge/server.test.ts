import { request as httpRequest } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CHANNELS } from '@shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { makeTempDir } from '../testing/fixtures'
import { type Bridge, startBridge } from './server'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; path: string }): Promise<Reply> {
  const target = new URL(options.path, url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}

describe('browser bridge', () => {
  const temp = makeTempDir('bridge')
  const staticDir = join(temp.dir, 'renderer')
  let services: AppServices
  let bridge: Bridge

  beforeAll(async () => {
    mkdirSync(staticDir)
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(temp.dir, 'secret.txt'), 'not for the browser')
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb') })
    bridge = await startBridge({
      handlers: services.handlers,
      staticDir,
      onJobProgress: (l) => services.jobs.onProgress(l),
      onMartsChanged: (l) => services.onMartsChanged(l),
    })
  })
  afterAll(async () => {
    await bridge.close()
    await services.close()
    temp.cleanup()
  })

  it('listens on loopback only', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('answers an API channel with the same Result the IPC gives', async () => {
    const reply = await send(bridge.url, { method: 'POST', path: '/api/warehouse:status', body: '{}' })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { kind: 'embedded', events: 0 } })
  })

  it('passes validation errors through as error Results', async () => {
    const reply = await send(bridge.url, {
      method: 'POST',
      path: '/api/attribution:compare',
      body: JSON.stringify({ lookbackDays: 500, conversionEvents: ['purchase'] }),
    })
    expect(JSON.parse(reply.body)).toEqual({ ok: false, error: 'Lookback must be between 1 and 90 days, got 500.' })
  })

  it('routes every channel of the contract to its handler, which validates the request', async () => {
    // A bare string is no channel's request: each handler must answer a 200 error Result, none may do work.
    for (const channel of API_CHANNELS) {
      const reply = await send(bridge.url, { method: 'POST', path: `/api/${channel}`, body: JSON.stringify('not a request') })
      expect(reply.status, channel).toBe(200)
      expect(JSON.parse(reply.body), channel).toEqual({ ok: false, error: expect.any(String) })
    }
  })

  it('refuses names every object has, which are not channels', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect((await send(bridge.url, { method: 'POST', path: `/api/${name}`, body: '{}' })).status, name).toBe(404)
    }
  })

  it('refuses unknown channels, bad JSON, oversized bodies and GET on the API', async () => {
    expect((await send(bridge.url, { method: 'POST', path: '/api/fs:readFile', body: '{}' })).status).toBe(404)
    expect((await send(bridge.url, { method: 'POST', path: '/api/warehouse:status', body: '{"oops' })).status).toBe(400)
    expect((await send(bridge.url, { method: 'POST', path: '/api/warehouse:status', body: 'x'.repeat(100_000) })).status).toBe(400)
    expect((await send(bridge.url, { path: '/api/warehouse:status' })).status).toBe(405)
  })

  it('refuses other origins and other host names (DNS rebinding)', async () => {
    const crossOrigin = await send(bridge.url, {
      method: 'POST',
      path: '/api/warehouse:status',
      body: '{}',
      headers: { origin: 'https://evil.example' },
    })
    expect(crossOrigin.status).toBe(403)
    const rebound = await send(bridge.url, { path: '/', headers: { host: 'evil.example' } })
    expect(rebound.status).toBe(403)
  })

  it('serves the renderer with the strict CSP and nothing outside it', async () => {
    const page = await send(bridge.url, { path: '/' })
    expect(page.body).toContain('<title>app</title>')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    const escape = await send(bridge.url, { path: '/../secret.txt' })
    expect(escape.body).not.toContain('not for the browser')
    const encoded = await send(bridge.url, { path: '/%2e%2e/secret.txt' })
    expect(encoded.body).not.toContain('not for the browser')
  })

  it('pushes "marts changed" as a Server-Sent Event after each refresh of the serving copy', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(new URL('/api/events', bridge.url), (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
          // Connected: refresh the copy as a dbt run's end does; the event follows the snapshot.
          if (chunk.includes(': connected')) void services.warehouse.refresh().catch(reject)
          if (body.includes('event: marts:changed\n')) {
            req.destroy()
            resolve(body)
          }
        })
      })
      req.on('error', reject)
      req.end()
    })
    const data = /event: marts:changed\ndata: (.*)\n/.exec(received)?.[1]
    expect(JSON.parse(data ?? 'null')).toEqual({ changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
  })
})
