import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type DbtPrograms, dataFolderDbtEnv, dataFolderDbtEnvDir } from '../../paths'
import { UV_VERSION } from './uv-release'

/** The files of the app's own dbt environment (all under `<data folder>/dbt-env`, 0700). */
export interface DbtEnvLayout extends DbtPrograms {
  root: string
  venv: string
  /** Written last, only once dbt answered: without it nothing here counts as installed. */
  readyStamp: string
  uv: string
  /** uv-managed Python lives here, not in the person's own uv folder. */
  pythonDir: string
  /** The slice of requirements.lock being installed. */
  partFile: string
}

/** Where everything of the data-folder environment lives. */
export function dbtEnvLayout(dataDir: string): DbtEnvLayout {
  const root = dataFolderDbtEnvDir(dataDir)
  const env = dataFolderDbtEnv(dataDir)
  return {
    root,
    venv: env.venv,
    dbt: env.dbt,
    python: env.python,
    readyStamp: env.readyStamp,
    uv: join(root, `uv-${UV_VERSION}`, process.platform === 'win32' ? 'uv.exe' : 'uv'),
    pythonDir: join(root, 'python'),
    partFile: join(root, 'requirements.part.txt'),
  }
}

/** What the ready stamp records. */
export interface ReadyStamp {
  lockSha256: string
  dbtVersion: string
  adapters: string[]
  python: string
  uvVersion: string
  createdAt: string
}

/** The stamp of a finished set-up from this lock file, or undefined (none, unreadable, or another lock). */
export async function readReadyStamp(
  layout: Pick<DbtEnvLayout, 'readyStamp' | 'python'>,
  lockSha256: string,
): Promise<ReadyStamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(layout.readyStamp, 'utf8')) as ReadyStamp
    return stamp.lockSha256 === lockSha256 && existsSync(layout.python) ? stamp : undefined
  } catch {
    return undefined
  }
}
