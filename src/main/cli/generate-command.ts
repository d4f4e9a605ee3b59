import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import type { CliValues } from './main'

/** Placeholder until the generator lands. */
export async function runGenerate(_warehouse: EmbeddedWarehouse, _values: CliValues): Promise<void> {}
