import { spawn } from 'node:child_process'
import { messageOf } from '../../errors'
import { trackDbtChild } from '../dbt-children'

export interface ToolResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a tool with an argument array; killed by the signal, with the app, or after `timeoutMs`. */
export function runTool(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    let child
    try {
      child = spawn(command, args, {
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
        timeout: options.timeoutMs,
        windowsHide: true,
      })
    } catch (error) {
      resolve({ code: -1, stdout: '', stderr: messageOf(error) })
      return
    }
    trackDbtChild(child)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) => err.push(Buffer.from(`\n${error.message}`)))
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }))
  })
}
