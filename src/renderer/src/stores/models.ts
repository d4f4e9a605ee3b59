import { type AttributionModel, type AttributionModelInfo, MODEL_REGISTRY, listAttributionModels } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'

/** The attribution models the app offers, as the main process lists them; pickers and column heads read names here. */
export const useModelsStore = defineStore('models', () => {
  const remote = useRemote<AttributionModelInfo[]>()
  /** Every model in picker order: the API's list once it answered, the shared registry before (or when it cannot). */
  const models = computed<AttributionModelInfo[]>(() => (remote.data.value?.length ? remote.data.value : listAttributionModels()))
  /** Why the list could not be read; the pickers keep working from the registry meanwhile. */
  const error = remote.error

  /** A model's entry, from the API's list or else the registry. */
  function infoOf(model: AttributionModel): AttributionModelInfo {
    return models.value.find((info) => info.id === model) ?? { id: model, ...MODEL_REGISTRY[model] }
  }

  /** A model's short name ("Last click") for pickers, titles and column heads. */
  function nameOf(model: AttributionModel): string {
    return infoOf(model).name
  }

  /** Reads the list once; later calls do nothing after it answered. */
  async function load(): Promise<void> {
    if (remote.data.value) return
    await remote.run(() => useApi().attribution.models({}))
  }

  return { models, error, infoOf, nameOf, load }
})
