/**
 * The models the app offers: the ones the warehouse's last build defined (rpt_attribution_models,
 * from dbt's attribution_models()), so a model added in dbt is listed and answered without a change
 * to the app; this build's generated list before any build made that mart.
 */
import { type AttributionModel, type AttributionModelInfo, listAttributionModels, modelLabelFromId } from '@shared/attribution'
import type { AttributionWarehouse } from '../warehouse/warehouse'

/** Every model as the API and CLI list it, in dbt's order. */
export async function attributionModelRegistry(warehouse: AttributionWarehouse): Promise<AttributionModelInfo[]> {
  const rows = await warehouse.attributionModels()
  if (rows.length === 0) return listAttributionModels()
  return rows.map((row) => ({
    // A model dbt defines: one this build knows, or one added in dbt since (rule-based, read from the credits mart).
    id: row.id as AttributionModel,
    name: row.name ?? modelLabelFromId(row.id),
    description: row.description,
    perConversion: row.isRuleBased,
  }))
}
