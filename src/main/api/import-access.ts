import { randomBytes } from 'node:crypto'
import { realpath, stat } from 'node:fs/promises'
import { basename, isAbsolute, relative, resolve, sep } from 'node:path'
import type { ChosenFile } from '@shared/api'
import type { Result } from '@shared/attribution'

/**
 * Which files the renderer may have imported. It only names them; the host decides what a name
 * means, and refuses one without saying whether a file exists where the renderer may not look.
 */
export interface ImportAccess {
  resolve(names: readonly string[]): Promise<Result<string[]>>
}

/** Most picks remembered at once; the oldest are forgotten first. */
const MAX_PICKED = 1000

/**
 * The desktop app: only files the person picked in the open dialog, each named by an opaque token
 * that is good for one import. Paths never leave the main process.
 */
export class PickedFiles implements ImportAccess {
  private readonly picked = new Map<string, string>()

  /** Issues a token for each path the dialog returned. */
  grant(paths: readonly string[]): ChosenFile[] {
    return paths.map((path) => {
      const token = randomBytes(16).toString('hex')
      this.picked.set(token, path)
      if (this.picked.size > MAX_PICKED) this.picked.delete(this.picked.keys().next().value as string)
      return { token, name: basename(path) }
    })
  }

  async resolve(tokens: readonly string[]): Promise<Result<string[]>> {
    if (!tokens.every((token) => this.picked.has(token))) {
      return { ok: false, error: 'Only files chosen in the file dialog can be imported: choose them with "Import GA4 export files…".' }
    }
    const paths = tokens.map((token) => this.picked.get(token) as string)
    for (const token of tokens) this.picked.delete(token)
    return { ok: true, value: paths }
  }
}

/**
 * The browser bridge: paths inside one folder (relative to it, or absolute), symbolic links
 * followed; anything outside is refused before the disk is looked at.
 */
export class ImportFolder implements ImportAccess {
  constructor(readonly root: string) {}

  async resolve(names: readonly string[]): Promise<Result<string[]>> {
    const root = resolve(this.root)
    const outside: Result<string[]> = {
      ok: false,
      error: `Only files inside the import folder ${root} can be imported here: copy them there, or use \`npx attribution import\`.`,
    }
    const paths: string[] = []
    for (const name of names) {
      const path = isAbsolute(name) ? resolve(name) : resolve(root, name)
      if (!isInside(root, path)) return outside
      let real: string
      try {
        real = await realpath(path)
        // A link inside the folder may point anywhere: where it leads must be inside too.
        if (!isInside(await realpath(root), real)) return outside
        if (!(await stat(real)).isFile()) return { ok: false, error: `${relative(root, path) || '.'} in the import folder is not a file.` }
      } catch {
        return { ok: false, error: `There is no file ${relative(root, path)} in the import folder ${root}.` }
      }
      paths.push(real)
    }
    return { ok: true, value: paths }
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}
