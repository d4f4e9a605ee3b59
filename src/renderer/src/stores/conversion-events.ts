import type { JobProgress } from '@shared/api'
import type { ConversionEvent, ConversionEventInfo } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'
import { useFiltersStore } from './filters'

/** The warehouse's event names as conversion choices: the modelled ones switch at once, others are modelled first. */
export const useConversionEventsStore = defineStore('conversionEvents', () => {
  const remote = useRemote<ConversionEventInfo[]>()
  /** Every event name the models have read, most frequent first, with its count and whether it is modelled. */
  const events = computed<ConversionEventInfo[]>(() => remote.data.value ?? [])
  /** The modelled events: chosen or not without a rebuild. */
  const modelled = computed(() => events.value.filter((info) => info.modelled))
  /** The other event names: choosing one models it first. */
  const unmodelled = computed(() => events.value.filter((info) => !info.modelled))
  /** Why the list could not be read. */
  const error = remote.error
  /** The events being modelled now, if any. */
  const modelling = ref<ConversionEvent[]>([])
  /** The newest progress of that modelling run. */
  const progress = ref<JobProgress>()
  /** Why the last modelling failed. */
  const modelError = ref<string>()

  /** Reads the list again (after a build, or when the picker opens). */
  async function load(): Promise<void> {
    await remote.run(() => useApi().attribution.conversionEvents({}), { isBackground: remote.data.value !== undefined })
  }

  /** Counts an event as a conversion: at once when it is modelled, else after modelling it (with progress). */
  async function choose(name: ConversionEvent): Promise<void> {
    const filters = useFiltersStore()
    if (modelled.value.some((info) => info.name === name)) {
      if (!filters.conversionEvents.includes(name)) filters.toggleConversionEvent(name)
      return
    }
    if (modelling.value.length > 0) return
    modelling.value = [name]
    modelError.value = undefined
    progress.value = undefined
    const stop = useApi().onJobProgress((pushed) => {
      if (pushed.job === 'build') progress.value = pushed
    })
    try {
      const result = await useApi().attribution.modelEvents({ events: [name] })
      if (!result.ok) {
        modelError.value = result.error
        return
      }
      remote.data.value = result.value
      if (!filters.conversionEvents.includes(name)) filters.toggleConversionEvent(name)
    } finally {
      stop()
      modelling.value = []
    }
  }

  return { events, modelled, unmodelled, error, modelling, progress, modelError, load, choose }
})
