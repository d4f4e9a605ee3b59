import type { ChannelFlow } from '@shared/api'
import type { EChartsOption } from 'echarts'
import { roundCredit } from '@renderer/lib/comparison'
import { formatConversionsPrecise } from '@renderer/lib/format'
import { channelColor } from '@renderer/charts/channel-colors'
import { CHART_FONT, CHART_TEXT } from '@renderer/charts/chart-style'

// Sankey nodes must have distinct names, so each channel appears once per side with a side prefix.
const A_PREFIX = 'a:'
const B_PREFIX = 'b:'

/** The channel a sankey node stands for, without its side prefix. */
export function flowNodeChannel(nodeName: string): string {
  return nodeName.slice(nodeName.indexOf(':') + 1)
}

/** What the flow chart shows: all flows or only those between different channels, and the two models' names for the tooltip. */
export interface FlowView {
  onlyChanged: boolean
  names: readonly [string, string]
}

/**
 * Sankey of credit from the channel model a gives it (left) to the channel model b gives it (right). Shared
 * credit arrives already split (credit under a × credit under b), so fractional flows still add up per conversion.
 */
export function buildFlowOption(flows: readonly ChannelFlow[], view: FlowView): EChartsOption {
  const shown = flows.filter((flow) => flow.conversions > 0 && (!view.onlyChanged || flow.a_channel !== flow.b_channel))
  const aTotals = new Map<string, number>()
  const bTotals = new Map<string, number>()
  for (const flow of shown) {
    aTotals.set(flow.a_channel, roundCredit((aTotals.get(flow.a_channel) ?? 0) + flow.conversions))
    bTotals.set(flow.b_channel, roundCredit((bTotals.get(flow.b_channel) ?? 0) + flow.conversions))
  }
  const nodesOf = (totals: Map<string, number>, prefix: string, depth: number) =>
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([channel]) => ({
        name: `${prefix}${channel}`,
        depth,
        itemStyle: { color: channelColor(channel) },
        // Labels sit outside the two columns so they never cover the flows.
        label: { position: depth === 0 ? ('left' as const) : ('right' as const) },
      }))
  return {
    textStyle: { fontFamily: CHART_FONT, color: CHART_TEXT },
    animationDuration: 300,
    tooltip: {
      trigger: 'item',
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params
        if (!item) return ''
        const data = item.data as { source?: string; target?: string; value?: number }
        const value = typeof item.value === 'number' ? formatConversionsPrecise(item.value) : ''
        if (item.dataType === 'edge' && data.source && data.target) {
          return `${flowNodeChannel(data.source)} → ${flowNodeChannel(data.target)}: ${value} conversions`
        }
        const side = item.name.startsWith(A_PREFIX) ? view.names[0] : view.names[1]
        return `${flowNodeChannel(item.name)} (${side}): ${value} conversions`
      },
    },
    series: [
      {
        type: 'sankey',
        left: 120,
        right: 120,
        top: 8,
        bottom: 8,
        nodeWidth: 14,
        nodeGap: 10,
        // Keep our order (biggest channel on top) instead of the layout's crossing-minimising shuffle.
        layoutIterations: 0,
        emphasis: { focus: 'adjacency' },
        label: { color: CHART_TEXT, formatter: (params) => flowNodeChannel(params.name) },
        lineStyle: { color: 'source', opacity: 0.35, curveness: 0.5 },
        data: [...nodesOf(aTotals, A_PREFIX, 0), ...nodesOf(bTotals, B_PREFIX, 1)],
        links: shown.map((flow) => ({
          source: `${A_PREFIX}${flow.a_channel}`,
          target: `${B_PREFIX}${flow.b_channel}`,
          value: flow.conversions,
        })),
      },
    ],
  }
}
