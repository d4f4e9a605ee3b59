import type { SankeySeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from './channel-colors'
import { buildFlowOption, flowNodeChannel } from './flow-option'
import { FLOWS } from './test-rows'

type Node = { name: string; depth: number; itemStyle: { color: string } }
type Link = { source: string; target: string; value: number }
const sankeyOf = (option: ReturnType<typeof buildFlowOption>) => (option.series as SankeySeriesOption[])[0]

describe('buildFlowOption', () => {
  it('gives every channel distinct left and right nodes, biggest first, in its channel colour', () => {
    const nodes = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: false }))?.data as Node[]
    expect(nodes.map((node) => node.name)).toEqual(['first:direct', 'first:paid_social', 'first:email', 'last:direct', 'last:email', 'last:paid_social'])
    expect(new Set(nodes.map((node) => node.name)).size).toBe(nodes.length)
    expect(nodes.map((node) => node.depth)).toEqual([0, 0, 0, 1, 1, 1])
    for (const node of nodes) expect(node.itemStyle.color).toBe(channelColor(flowNodeChannel(node.name)))
  })

  it('links first-click nodes to last-click nodes with the conversions', () => {
    const links = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: false }))?.links as Link[]
    expect(links).toEqual(
      FLOWS.map((flow) => ({ source: `first:${flow.first_click_channel}`, target: `last:${flow.last_click_channel}`, value: flow.conversions })),
    )
  })

  it('keeps only flows between different channels when asked', () => {
    const sankey = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: true }))
    expect(sankey?.links).toEqual([{ source: 'first:paid_social', target: 'last:direct', value: 4 }])
    expect((sankey?.data as Node[]).map((node) => node.name)).toEqual(['first:paid_social', 'last:direct'])
  })

  it('labels nodes with the bare channel name', () => {
    expect(flowNodeChannel('first:paid_social')).toBe('paid_social')
    expect(flowNodeChannel('last:with:colon')).toBe('with:colon')
  })

  it('builds an empty sankey from no flows', () => {
    const sankey = sankeyOf(buildFlowOption([], { onlyChanged: false }))
    expect(sankey?.data).toEqual([])
    expect(sankey?.links).toEqual([])
  })
})
