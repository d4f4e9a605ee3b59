import { type ApiHandlers, type HandlerHost, createApiHandlers } from './api/handlers'
import { JobRunner } from './services/jobs'
import { EmbeddedWarehouse } from './warehouse/embedded-warehouse'

/** The main-process services, wired once, for the Electron app and the browser bridge alike. */
export interface AppServices {
  warehouse: EmbeddedWarehouse
  jobs: JobRunner
  handlers: ApiHandlers
  close(): Promise<void>
}

/** Wires the warehouse, the job runner and the API handlers; the host adds dialogs and the OS browser. */
export function createAppServices(options: {
  warehousePath: string
  host?: Pick<HandlerHost, 'chooseImportFiles' | 'openExternal' | 'log'>
}): AppServices {
  const warehouse = new EmbeddedWarehouse(options.warehousePath)
  const jobs = new JobRunner(() => warehouse)
  const handlers = createApiHandlers({ warehouse: () => warehouse, jobs, ...options.host })
  return { warehouse, jobs, handlers, close: () => warehouse.close() }
}
