import { UserFacingError } from '../../errors'

/** What `dbt --version` says: dbt-core's version and the adapters (plugins) with theirs. */
export interface DbtVersionInfo {
  core: string | null
  adapters: Record<string, string>
}

/** Reads `dbt --version` output ("Core: - installed: 1.11.16 ... Plugins: - duckdb: 1.11.1 - Up to date!"). */
export function parseDbtVersion(text: string): DbtVersionInfo {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '')
  const core = /installed:\s*v?(\d+\.\d+\.\d+\S*)/i.exec(plain)?.[1] ?? null
  const adapters: Record<string, string> = {}
  const plugins = plain.split(/^Plugins:\s*$/im)[1] ?? ''
  for (const match of plugins.matchAll(/^\s*-\s*([a-z0-9_-]+):\s*v?(\d+\.\d+\.\d+\S*)/gim)) adapters[match[1]!.toLowerCase()] = match[2]!
  return { core, adapters }
}

/** The requirement lines of a requirements file (continuations joined; comments and option lines left out). */
export function parseRequirements(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
}

/** The version a requirements file pins a package to, or undefined. */
export function pinnedVersion(requirements: readonly string[], name: string): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/[-_.]+/g, '-')
  for (const line of requirements) {
    const match = /^([A-Za-z0-9_.-]+)\s*==\s*([^\s;]+)/.exec(line)
    if (match && normal(match[1]!) === normal(name)) return match[2]
  }
  return undefined
}

const NETWORK_FAILURE =
  /dns error|failed to lookup address|error sending request|tcp connect error|client error \(connect\)|connection refused|connection reset|network is unreachable|timed out|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET|certificate/i

/** True when a tool's message says the network, not the packages, was the problem. */
export function isNetworkFailure(text: string): boolean {
  return NETWORK_FAILURE.test(text)
}

/** The useful part of uv's error: the URL it failed on and the innermost cause ("http://…/agate/: Connection refused (os error 111)"); `withUrl: false` leaves the URL out. */
export function uvFailureCause(output: string, options: { withUrl?: boolean } = {}): string {
  const lines = output.split(/\r?\n/).map((line) => line.trim())
  const causes = lines.filter((line) => line.startsWith('cause:')).map((line) => line.slice('cause:'.length).trim())
  const error = lines
    .find((line) => line.startsWith('error:'))
    ?.slice('error:'.length)
    .trim()
  const url = /https?:\/\/[^\s)`'"]+/.exec(causes.join(' ') || error || '')?.[0]
  const innermost = causes.at(-1) ?? error ?? lines.filter((line) => line !== '').at(-1) ?? 'no message'
  return url && options.withUrl !== false && !innermost.includes(url) ? `${url}: ${innermost}` : innermost
}

/** The offline message, with what was learnt about Python on the way. */
export function offlineMessage(cause: string, pythonNote?: string): string {
  return [
    `Could not reach PyPI to install dbt (${cause}). Connect to the internet, or point Settings at an existing dbt.`,
    pythonNote,
    'Setting up again resumes where this stopped.',
  ]
    .filter(Boolean)
    .join(' ')
}

/** A set-up failure, with a message a person can act on. */
export class DbtSetupError extends UserFacingError {
  override name = 'DbtSetupError'
}
