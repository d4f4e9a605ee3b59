/**
 * Cost & return under every model: the rule-based models' credit and cost from agg_cost_and_return
 * at the request's lookback, data_driven's credit per channel solved as everywhere else
 * (dataDrivenCredits) against the same channel cost, and ROAS, cost per conversion and the change
 * against a baseline from whole units (src/shared/cost-return.ts).
 */
import { ATTRIBUTION_MODELS, type AttributionModel, isRuleBasedModel } from '@shared/attribution'
import type { DashboardFilters } from '@shared/api'
import {
  type CostFigures,
  type CostReturnRequest,
  type CostReturnResult,
  type CostReturnRow,
  type CostTrendDay,
  costCell,
  rankDisagreements,
  roasHundredths,
  formatHundredths,
} from '@shared/cost-return'
import { formatCents, parseCents } from '@shared/money'
import type { AttributionWarehouse, CostCreditRow, RuleBasedModel } from '../warehouse/warehouse'
import { dataDrivenCredits } from './model-reports'

interface Group {
  row: Omit<CostReturnRow, 'cells' | 'cost_usd'>
  costCents: bigint
  figures: Map<AttributionModel, CostFigures>
}

/** The Cost & return view's answer, the same for the app and `report --with-cost`. */
export async function costAndReturn(warehouse: AttributionWarehouse, request: CostReturnRequest): Promise<CostReturnResult> {
  const filters = filtersOf(request)
  const byChannel = request.by === 'channel'
  const [ruleRows, dataDriven] = await Promise.all([
    warehouse.costCredits(filters, request.by),
    byChannel ? dataDrivenCredits(warehouse, filters) : Promise.resolve([]),
  ])
  const models: AttributionModel[] = ATTRIBUTION_MODELS.filter((model) => byChannel || isRuleBasedModel(model))
  const groups = new Map<string, Group>()
  const group = (row: Pick<CostCreditRow, 'channel' | 'source' | 'medium' | 'campaign'>): Group => {
    const key = JSON.stringify([row.channel, row.source, row.medium, row.campaign])
    let found = groups.get(key)
    if (!found) {
      const keys = byChannel
        ? { channel: row.channel }
        : { channel: row.channel, source: row.source ?? '', medium: row.medium ?? '', campaign: row.campaign ?? '' }
      found = { row: keys, costCents: 0n, figures: new Map() }
      groups.set(key, found)
    }
    return found
  }
  for (const row of ruleRows) {
    const found = group(row)
    // Every rule-based model carries the same spend rows; the group's cost is any model's.
    if (row.costCents > found.costCents) found.costCents = row.costCents
    found.figures.set(row.model, { creditMicros: row.creditMicros, revenueCents: row.revenueCents, costCents: row.costCents })
  }
  for (const credit of dataDriven) {
    group({ channel: credit.channel }).figures.set('data_driven', {
      creditMicros: credit.creditMicros,
      revenueCents: credit.revenueCents,
      costCents: 0n,
    })
  }
  const zero: CostFigures = { creditMicros: 0n, revenueCents: 0n, costCents: 0n }
  const totals = new Map<AttributionModel, CostFigures>(models.map((model) => [model, { ...zero }]))
  let totalCostCents = 0n
  const rows: CostReturnRow[] = [...groups.values()].map((entry) => {
    totalCostCents += entry.costCents
    const figuresOf = (model: AttributionModel): CostFigures => ({ ...(entry.figures.get(model) ?? zero), costCents: entry.costCents })
    const baseline = figuresOf(request.baseline)
    const cells: CostReturnRow['cells'] = {}
    for (const model of models) {
      const figures = figuresOf(model)
      cells[model] = costCell(figures, baseline)
      const total = totals.get(model) as CostFigures
      total.creditMicros += figures.creditMicros
      total.revenueCents += figures.revenueCents
    }
    return { ...entry.row, cost_usd: formatCents(entry.costCents), cells }
  })
  rows.sort(
    (a, b) =>
      Number(parseCents(b.cost_usd) - parseCents(a.cost_usd)) ||
      (b.cells[request.baseline]?.conversions ?? 0) - (a.cells[request.baseline]?.conversions ?? 0) ||
      JSON.stringify([a.channel, a.source, a.medium, a.campaign]).localeCompare(
        JSON.stringify([b.channel, b.source, b.medium, b.campaign]),
      ),
  )
  const totalOf = (model: AttributionModel): CostFigures => ({ ...(totals.get(model) ?? zero), costCents: totalCostCents })
  const totalCells: CostReturnResult['totals']['cells'] = {}
  for (const model of models) totalCells[model] = costCell(totalOf(model), totalOf(request.baseline))
  const trendChannel = request.trendChannel ?? mostCostlyChannel(ruleRows)
  return {
    lookback_days: request.lookbackDays,
    conversion_events: [...request.conversionEvents],
    by: request.by,
    baseline: request.baseline,
    models,
    rows,
    totals: { cost_usd: formatCents(totalCostCents), cells: totalCells },
    disagreements: rankDisagreements(rows, models),
    trend: {
      models: request.trendModels,
      channel: trendChannel,
      days:
        trendChannel === null
          ? []
          : await trendDays(warehouse, filters, request.trendModels as [RuleBasedModel, RuleBasedModel], trendChannel),
    },
  }
}

/** Daily cost, revenue and ROAS of two rule-based models for one channel. */
async function trendDays(
  warehouse: AttributionWarehouse,
  filters: DashboardFilters,
  models: readonly RuleBasedModel[],
  channel: string,
): Promise<CostTrendDay[]> {
  const days = new Map<string, CostTrendDay & { costCents: bigint }>()
  for (const row of await warehouse.dailyCost(filters, models, channel)) {
    let day = days.get(row.date)
    if (!day) {
      day = { date: row.date, cost_usd: '0.00', costCents: 0n, models: {} }
      days.set(row.date, day)
    }
    if (row.costCents > day.costCents) day.costCents = row.costCents
    day.models[row.model] = { revenue_usd: formatCents(row.revenueCents), roas: null }
  }
  return [...days.values()]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map(({ costCents, ...day }) => {
      const shown: CostTrendDay = { ...day, cost_usd: formatCents(costCents), models: {} }
      for (const model of models) {
        const revenue = day.models[model]?.revenue_usd ?? '0.00'
        shown.models[model] = { revenue_usd: revenue, roas: formatHundredths(roasHundredths(parseCents(revenue), costCents)) }
      }
      return shown
    })
}

/** The channel with the most cost (the trend's default), or null when nothing has cost. */
function mostCostlyChannel(rows: ReadonlyArray<CostCreditRow>): string | null {
  const cost = new Map<string, bigint>()
  for (const row of rows) if (row.model === 'first_click') cost.set(row.channel, (cost.get(row.channel) ?? 0n) + row.costCents)
  const [best] = [...cost.entries()]
    .filter(([, cents]) => cents > 0n)
    .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0].localeCompare(b[0])))
  return best?.[0] ?? null
}

function filtersOf(request: CostReturnRequest): DashboardFilters {
  const { lookbackDays, conversionEvents, fromDate, toDate } = request
  return { lookbackDays, conversionEvents: [...conversionEvents], ...(fromDate ? { fromDate } : {}), ...(toDate ? { toDate } : {}) }
}
