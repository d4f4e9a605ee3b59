import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './warehouses'

/** Starts a browser bridge of the spec's own on `path`; resolves once it serves the dashboard. */
export async function startOwnBridge(path: string, port: number): Promise<ChildProcess> {
  const bridge = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'main', 'bridge', 'serve.ts'), '--warehouse', path, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    bridge.once('exit', (code) => reject(new Error(`The bridge on ${path} exited with ${code}`)))
    bridge.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Dashboard at')) resolve()
    })
  })
  return bridge
}
