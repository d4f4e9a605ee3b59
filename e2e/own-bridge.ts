import { type ChildProcess, spawn } from 'node:child_process'
import type { APIRequestContext } from '@playwright/test'
import { join } from 'node:path'
import { ROOT } from './warehouses'

/** Starts a browser bridge of the spec's own on `path`; resolves once it serves the dashboard. */
export async function startOwnBridge(path: string, port: number): Promise<ChildProcess> {
  const bridge = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'src', 'main', 'bridge', 'serve.ts'),
      '--warehouse',
      path,
      '--port',
      String(port),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    bridge.once('exit', (code) => reject(new Error(`The bridge on ${path} exited with ${code}`)))
    bridge.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Dashboard at')) resolve()
    })
  })
  return bridge
}

/** Calls one API channel of a bridge at `url` the way the HTTP twin does; throws the error of a failed result. */
export function apiCaller(request: APIRequestContext, url: string) {
  return async <T>(channel: string, body: unknown = {}): Promise<T> => {
    const response = await request.post(`${url}api/${channel}`, { data: body })
    const result = (await response.json()) as { ok: true; value: T } | { ok: false; error: string }
    if (!result.ok) throw new Error(result.error)
    return result.value
  }
}
