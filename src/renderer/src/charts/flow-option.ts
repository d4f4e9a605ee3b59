import type { ChannelFlow } from '@shared/api'
import type { EChartsOption } from 'echarts'
import { formatInteger } from '../lib/format'
import { channelColor } from './channel-colors'
import { CHART_FONT, CHART_TEXT } from './chart-style'

// Sankey nodes must have distinct names, so each channel appears once per side with a side prefix.
const FIRST_PREFIX = 'first:'
const LAST_PREFIX = 'last:'

/** The channel a sankey node stands for, without its side prefix. */
export function flowNodeChannel(nodeName: string): string {
  return nodeName.slice(nodeName.indexOf(':') + 1)
}

/** Sankey of conversions from their first-click channel (left) to their last-click channel (right). */
export function buildFlowOption(flows: readonly ChannelFlow[], options: { onlyChanged: boolean }): EChartsOption {
  const shown = flows.filter(
    (flow) => flow.conversions > 0 && (!options.onlyChanged || flow.first_click_channel !== flow.last_click_channel),
  )
  const firstTotals = new Map<string, number>()
  const lastTotals = new Map<string, number>()
  for (const flow of shown) {
    firstTotals.set(flow.first_click_channel, (firstTotals.get(flow.first_click_channel) ?? 0) + flow.conversions)
    lastTotals.set(flow.last_click_channel, (lastTotals.get(flow.last_click_channel) ?? 0) + flow.conversions)
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
        const value = typeof item.value === 'number' ? formatInteger(item.value) : ''
        if (item.dataType === 'edge' && data.source && data.target) {
          return `${flowNodeChannel(data.source)} → ${flowNodeChannel(data.target)}: ${value} conversions`
        }
        const side = item.name.startsWith(FIRST_PREFIX) ? 'first click' : 'last click'
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
        data: [...nodesOf(firstTotals, FIRST_PREFIX, 0), ...nodesOf(lastTotals, LAST_PREFIX, 1)],
        links: shown.map((flow) => ({
          source: `${FIRST_PREFIX}${flow.first_click_channel}`,
          target: `${LAST_PREFIX}${flow.last_click_channel}`,
          value: flow.conversions,
        })),
      },
    ],
  }
}
