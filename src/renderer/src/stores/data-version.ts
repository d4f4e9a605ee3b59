import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Who reported a build of the marts: the refresh loop's status, or the warehouse status. */
export type BuildSource = 'refresh' | 'warehouse'

/**
 * Both sources report the same build at nearly the same time; builds closer than this count once. A dbt
 * run alone takes longer, so two real builds are never this close.
 */
export const SAME_BUILD_MS = 2_000

/** A counter that goes up whenever the marts hold new numbers, so every open view reloads quietly. */
export const useDataVersionStore = defineStore('dataVersion', () => {
  /** Goes up by one per new build of the marts this window noticed; views reload when it changes. */
  const version = ref(0)
  /** Goes up by one per switch of the warehouse shown (BigQuery, embedded, a demo copy): numbers of two epochs are not comparable. */
  const epoch = ref(0)

  // undefined: never heard from this source; null: it reported no build yet.
  const seen: Record<BuildSource, number | null | undefined> = { refresh: undefined, warehouse: undefined }
  let lastBump: { source: BuildSource; atMs: number } | undefined

  /** Records when a source says the marts were last built; a newer build than the source said before bumps the version. */
  function noteBuild(source: BuildSource, iso: string | null | undefined): void {
    const parsed = iso ? Date.parse(iso) : Number.NaN
    const atMs = Number.isNaN(parsed) ? null : parsed
    const previous = seen[source]
    seen[source] = atMs
    // The first report is what the views loaded with; no news.
    if (previous === undefined || atMs === null || atMs === previous) return
    if (lastBump && lastBump.source !== source && Math.abs(atMs - lastBump.atMs) <= SAME_BUILD_MS) return
    lastBump = { source, atMs }
    version.value += 1
  }

  /** After a switch to another warehouse: what each source said belongs to the old one, and every view reloads. */
  function startOver(): void {
    seen.refresh = undefined
    seen.warehouse = undefined
    lastBump = undefined
    epoch.value += 1
    version.value += 1
  }

  return { version, epoch, noteBuild, startOver }
})
