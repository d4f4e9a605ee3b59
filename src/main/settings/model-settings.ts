import { readFile } from 'node:fs/promises'
import type { Result } from '@shared/attribution'
import { writePrivateJson } from '../private-files'

/**
 * How the models read this warehouse's data. Kept in one file beside the warehouse, so the app and
 * the CLI (any process given the same warehouse) build with the same choices.
 */
export interface ModelSettings {
  /** Joins a signed-in person's devices into one journey by user_id (dbt var user_id_stitching). */
  userIdStitching: boolean
}

/** On by default: it changes nothing where no event carries a user_id. */
export const DEFAULT_MODEL_SETTINGS: ModelSettings = { userIdStitching: true }

/** The settings file of a warehouse file. */
export function modelSettingsPath(warehousePath: string): string {
  return `${warehousePath}.model-settings.json`
}

/** Checks settings read from the file; unknown keys are kept out, missing ones take the default. */
export function validateModelSettings(input: unknown): Result<ModelSettings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: 'Model settings must be an object.' }
  const { userIdStitching } = input as Record<string, unknown>
  if (userIdStitching !== undefined && typeof userIdStitching !== 'boolean')
    return { ok: false, error: 'userIdStitching must be true or false.' }
  return { ok: true, value: { userIdStitching: userIdStitching ?? DEFAULT_MODEL_SETTINGS.userIdStitching } }
}

/** The warehouse's model settings: the defaults without a file; a bad file is an error, never silently the defaults. */
export async function loadModelSettings(warehousePath: string): Promise<Result<ModelSettings>> {
  const path = modelSettingsPath(warehousePath)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, value: { ...DEFAULT_MODEL_SETTINGS } }
    return { ok: false, error: `${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).` }
  }
  try {
    const checked = validateModelSettings(JSON.parse(text))
    return checked.ok ? checked : { ok: false, error: `${path}: ${checked.error}` }
  } catch {
    return { ok: false, error: `${path} is not valid JSON; fix or delete it (the defaults then apply).` }
  }
}

/** Writes changed model settings atomically (temp file, then rename) and returns the whole result. */
export async function saveModelSettings(warehousePath: string, change: Partial<ModelSettings>): Promise<Result<ModelSettings>> {
  const current = await loadModelSettings(warehousePath)
  if (!current.ok) return current
  const checked = validateModelSettings({ ...current.value, ...change })
  if (!checked.ok) return checked
  const path = modelSettingsPath(warehousePath)
  try {
    await writePrivateJson(path, checked.value)
  } catch (error) {
    return { ok: false, error: `The model settings could not be saved (${(error as NodeJS.ErrnoException).code ?? 'error'}).` }
  }
  return checked
}
