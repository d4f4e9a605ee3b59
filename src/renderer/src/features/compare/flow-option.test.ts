import type { SankeySeriesOption } from 'echarts'
import { describe, expect, it } from 'vitest'
import { channelColor } from '@renderer/charts/channel-colors'
import { buildFlowOption, flowNodeChannel } from './flow-option'
import { FLOWS, LINEAR_VS_LAST_FLOWS, LINEAR_VS_LAST_ROWS } from '@renderer/testing/test-rows'

type Node = { name: string; depth: number; itemStyle: { color: string } }
type Link = { source: string; target: string; value: number }
type TooltipItem = { dataType?: string; name: string; value: number; data: { source?: string; target?: string } }
const NAMES = ['First click', 'Last click'] as const
const sankeyOf = (option: ReturnType<typeof buildFlowOption>) => (option.series as SankeySeriesOption[])[0]
const tooltipOf = (option: ReturnType<typeof buildFlowOption>) => (option.tooltip as { formatter: (item: TooltipItem) => string }).formatter

describe('buildFlowOption', () => {
  it('gives every channel distinct left (a) and right (b) nodes, biggest first, in its channel colour', () => {
    const nodes = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: false, names: NAMES }))?.data as Node[]
    expect(nodes.map((node) => node.name)).toEqual(['a:direct', 'a:paid_social', 'a:email', 'b:direct', 'b:email', 'b:paid_social'])
    expect(new Set(nodes.map((node) => node.name)).size).toBe(nodes.length)
    expect(nodes.map((node) => node.depth)).toEqual([0, 0, 0, 1, 1, 1])
    for (const node of nodes) expect(node.itemStyle.color).toBe(channelColor(flowNodeChannel(node.name)))
  })

  it('links model a nodes to model b nodes with the conversions', () => {
    const links = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: false, names: NAMES }))?.links as Link[]
    expect(links).toEqual(FLOWS.map((flow) => ({ source: `a:${flow.a_channel}`, target: `b:${flow.b_channel}`, value: flow.conversions })))
  })

  it('keeps only flows between different channels when asked', () => {
    const sankey = sankeyOf(buildFlowOption(FLOWS, { onlyChanged: true, names: NAMES }))
    expect(sankey?.links).toEqual([{ source: 'a:paid_social', target: 'b:direct', value: 4 }])
    expect((sankey?.data as Node[]).map((node) => node.name)).toEqual(['a:paid_social', 'b:direct'])
  })

  it('draws fractional flows of shared credit, whose totals per side are the rows of the comparison', () => {
    const sankey = sankeyOf(buildFlowOption(LINEAR_VS_LAST_FLOWS, { onlyChanged: false, names: ['Linear', 'Last click'] }))
    const links = sankey?.links as Link[]
    // Every conversion's credit is split across the flows it feeds, so the links add up to the three conversions.
    expect(links.reduce((sum, link) => sum + link.value, 0)).toBeCloseTo(3, 9)
    const sideTotal = (side: 'source' | 'target', channel: string, prefix: string) =>
      links.filter((link) => link[side] === `${prefix}${channel}`).reduce((sum, link) => sum + link.value, 0)
    for (const row of LINEAR_VS_LAST_ROWS) {
      expect(sideTotal('source', row.channel, 'a:')).toBeCloseTo(row.a_conversions, 6)
      expect(sideTotal('target', row.channel, 'b:')).toBeCloseTo(row.b_conversions, 6)
    }
    // email (1.666666) above direct (0.833334) above paid_search (0.5) on the left; direct (2) above email (1) on the right.
    expect((sankey?.data as Node[]).map((node) => node.name)).toEqual(['a:email', 'a:direct', 'a:paid_search', 'b:direct', 'b:email'])
  })

  it('says in the tooltip which model a node belongs to, with shared credit to two decimals', () => {
    const format = tooltipOf(buildFlowOption(LINEAR_VS_LAST_FLOWS, { onlyChanged: false, names: ['Linear', 'Last click'] }))
    expect(format({ dataType: 'edge', name: '', value: 0.666666, data: { source: 'a:email', target: 'b:direct' } })).toBe(
      'email → direct: 0.67 conversions',
    )
    expect(format({ dataType: 'node', name: 'a:email', value: 1.666666, data: {} })).toBe('email (Linear): 1.67 conversions')
    expect(format({ dataType: 'node', name: 'b:direct', value: 2, data: {} })).toBe('direct (Last click): 2 conversions')
  })

  it('labels nodes with the bare channel name', () => {
    expect(flowNodeChannel('a:paid_social')).toBe('paid_social')
    expect(flowNodeChannel('b:with:colon')).toBe('with:colon')
  })

  it('builds an empty sankey from no flows', () => {
    const sankey = sankeyOf(buildFlowOption([], { onlyChanged: false, names: NAMES }))
    expect(sankey?.data).toEqual([])
    expect(sankey?.links).toEqual([])
  })
})
