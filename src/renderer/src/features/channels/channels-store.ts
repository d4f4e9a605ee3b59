import type { DashboardFilters } from '@shared/api'
import { type AttributionModel, type ReportGrouping, type ReportResult, modelGroupingProblem } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '@renderer/api'
import type { ChartMetric } from '@renderer/charts/chart-style'
import { type LoadOptions, useRemote } from '@renderer/composables/use-remote'

/** Groupings offered inside one channel. */
export type DrillGrouping = Exclude<ReportGrouping, 'channel'>

/** One step of the breadcrumb; `channel` undefined is the top level. */
export interface Crumb {
  label: string
  channel?: string
}

/** The per-channel breakdown with drill-down into one channel's sources/mediums or campaigns. */
export const useChannelsStore = defineStore('channels', () => {
  const remote = useRemote<ReportResult>()
  /** The last breakdown answered, kept (dimmed) while a new one loads. */
  const result = remote.data
  /** Why the last request failed, or undefined. */
  const error = remote.error
  /** True while a request is in flight. */
  const isLoading = remote.isLoading
  /** The model the breakdown credits conversions by. */
  const model = ref<AttributionModel>('last_click')
  /** The channel drilled into, or undefined at the top level. */
  const channel = ref<string>()
  /** How the drilled channel is split. */
  const drillBy = ref<DrillGrouping>('source_medium')
  /** Which number the chart plots. */
  const metric = ref<ChartMetric>('conversions')

  /** The grouping asked for: channels at the top level, else the drill grouping. */
  const by = computed<ReportGrouping>(() => (channel.value === undefined ? 'channel' : drillBy.value))
  /** Where the person is, for the breadcrumb. */
  const breadcrumb = computed<Crumb[]>(() => {
    const crumbs: Crumb[] = [{ label: 'All channels' }]
    if (channel.value !== undefined) crumbs.push({ label: channel.value, channel: channel.value })
    return crumbs
  })
  /** Why the model cannot split a channel (data_driven credits channels only in total), or undefined when it can. */
  const drillProblem = computed(() => modelGroupingProblem(model.value, 'channel', channel.value ?? ''))
  /** Why the current level cannot be shown under the model (a channel drilled into, then data_driven chosen), or undefined. */
  const levelProblem = computed(() => (channel.value === undefined ? undefined : drillProblem.value))
  /** The rows of the answer, biggest first; only trusted when the answer matches the current grouping. */
  const rows = computed(() =>
    result.value && result.value.by === by.value ? [...result.value.rows].sort((a, b) => b.conversions - a.conversions) : [],
  )

  /** Asks for the breakdown under these filters at the current drill level; nothing the model cannot answer. */
  async function load(filters: DashboardFilters, options: LoadOptions = {}): Promise<void> {
    if (levelProblem.value) return
    const request = { ...filters, model: model.value, by: by.value, ...(channel.value === undefined ? {} : { channel: channel.value }) }
    await remote.run(() => useApi().attribution.breakdown(request), options)
  }

  /** Opens one channel, when the model can split it. */
  function drillInto(name: string): void {
    if (!drillProblem.value) channel.value = name
  }

  /** Goes back to all channels. */
  function drillUp(): void {
    channel.value = undefined
  }

  return {
    result,
    error,
    isLoading,
    model,
    channel,
    drillBy,
    metric,
    by,
    breadcrumb,
    drillProblem,
    levelProblem,
    rows,
    load,
    drillInto,
    drillUp,
  }
})
