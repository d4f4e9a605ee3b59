import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../api'

/** A counter that goes up whenever the marts hold new numbers, so every open view reloads quietly. */
export const useDataVersionStore = defineStore('dataVersion', () => {
  /** Goes up by one per change of the marts this window heard of; views reload when it changes. */
  const version = ref(0)
  /** Goes up by one per switch of the warehouse shown (BigQuery, embedded, a demo copy): numbers of two epochs are not comparable. */
  const epoch = ref(0)

  // The build time the warehouse status last gave: undefined before its first report.
  let statusBuiltAt: string | null | undefined
  // A pushed change the status has not shown yet: its new build time is then no news.
  let isPushedUnseen = false

  /** The main process says the marts changed (it pushes this after every refresh of the serving copy). */
  function noteMartsChanged(): void {
    isPushedUnseen = true
    version.value += 1
  }

  /**
   * Records the build time the warehouse status gives. A new one that no pushed change announced is a build
   * no process of the app made (dbt run by hand on BigQuery), and bumps the version too.
   */
  function noteStatusBuild(builtAt: string | null | undefined): void {
    const previous = statusBuiltAt
    statusBuiltAt = builtAt ?? null
    if (previous === undefined || statusBuiltAt === previous) return
    if (isPushedUnseen) {
      isPushedUnseen = false
      return
    }
    version.value += 1
  }

  /** Follows the pushed "marts changed" event; returns the function that stops it. */
  function listen(): () => void {
    return useApi().onMartsChanged(() => noteMartsChanged())
  }

  /** After a switch to another warehouse: what the status said belongs to the old one, and every view reloads. */
  function startOver(): void {
    statusBuiltAt = undefined
    isPushedUnseen = false
    epoch.value += 1
    version.value += 1
  }

  return { version, epoch, noteMartsChanged, noteStatusBuild, listen, startOver }
})
