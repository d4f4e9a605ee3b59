import type { DbtSource } from '@shared/api'
import type { DbtPrograms } from '../../paths'

/** A dbt the app can run, and where it comes from. */
export interface DbtInstallation extends DbtPrograms {
  source: DbtSource
}

/** The usable dbt of each kind (absent: none of that kind). */
export type DbtCandidates = Partial<Record<DbtSource, DbtPrograms>>

/** Picks the dbt to run: the one named in Settings, else the repo's .venv (development), else the data-folder environment, else none. */
export function chooseDbt(candidates: DbtCandidates): DbtInstallation | undefined {
  for (const source of ['setting', 'repo', 'data-folder'] as const) {
    const programs = candidates[source]
    if (programs) return { source, ...programs }
  }
  return undefined
}
