/**
 * A loopback stand-in for the BigQuery REST API v2, for tests only: it speaks the wire format the
 * `@google-cloud/bigquery` client uses for exactly the calls this app makes, and runs the SQL on an
 * in-memory DuckDB. What it does not check is listed in docs/bigquery-emulator.md.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DuckDBConnection, DuckDBInstance, LIST, VARCHAR, listValue } from '@duckdb/node-api'
import { PassThroughClient } from 'google-auth-library'
import type { BigQueryTransport } from '../bigquery-client'
import type { BigQueryField } from '../ga4-bigquery-schema'

/** One request the stand-in received, for tests to assert on. */
export interface RecordedRequest {
  method: string
  path: string
  body: unknown
  /** The Authorization header, if the client sent one (it must not). */
  authorization: string | undefined
}

/** A failure to inject into the next matching requests. */
export interface InjectedFault {
  method: string
  path: RegExp
  status: number
  times: number
  /** Apply the request first, then fail: a response lost on the way back. */
  afterApplying?: boolean
  /** A socket error instead of an HTTP answer. */
  dropConnection?: boolean
}

interface TableState {
  schema: BigQueryField[]
  insertIds: Set<string>
}

interface DatasetState {
  location: string
  tables: Map<string, TableState>
  description?: string
  labels?: Record<string, string>
}

interface QueryParameter {
  name?: string
  parameterType?: { type?: string; arrayType?: { type?: string } }
  parameterValue?: { value?: unknown; arrayValues?: Array<{ value?: unknown }> }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

/** BigQuery bills at least this much per table a query reads. */
export const MIN_BILLED_BYTES_PER_TABLE = 10 * 1024 * 1024

const DUCK_TYPES: Record<string, string> = {
  STRING: 'VARCHAR',
  INTEGER: 'BIGINT',
  INT64: 'BIGINT',
  FLOAT: 'DOUBLE',
  FLOAT64: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  NUMERIC: 'DECIMAL(38,9)',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
}

/** The BigQuery stand-in: start it, point the client at `transport()`, close it. */
export class BigQueryStandIn {
  readonly requests: RecordedRequest[] = []
  private readonly datasets = new Map<string, DatasetState>()
  private readonly deniedProjects = new Set<string>()
  private readonly readOnlyProjects = new Set<string>()
  private readonly noCloneProjects = new Set<string>()
  private readonly results = new Map<string, unknown>()
  private faults: InjectedFault[] = []
  private jobCounter = 0

  private constructor(
    private readonly server: Server,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    readonly apiEndpoint: string,
  ) {}

  /** Starts the stand-in on 127.0.0.1 at a free port. */
  static async start(): Promise<BigQueryStandIn> {
    const instance = await DuckDBInstance.create(':memory:')
    const db = await instance.connect()
    // BigQuery functions the app's SQL uses that DuckDB spells differently.
    await db.run(`create macro format_date(fmt, d) as strftime(d, fmt)`)
    await db.run(`create macro format_timestamp(fmt, ts) as strftime(ts, replace(fmt, '%E3S', '%S.%g'))`)
    await db.run(`create macro timestamp_micros(x) as make_timestamp(x)`)
    await db.run(`create macro date_sub(d, i) as cast(d - i as date)`)
    await db.run(`create macro unix_micros(ts) as epoch_us(ts)`)
    await db.run(`create macro to_json_string(x) as cast(to_json(x) as varchar)`)
    await db.run(`create type float64 as double`)
    // Assigned once the server listens; requests before that get no answer.
    // eslint-disable-next-line prefer-const
    let standIn: BigQueryStandIn | undefined
    const server = createServer((request, response) => {
      void standIn?.handle(request, response)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    standIn = new BigQueryStandIn(server, instance, db, `http://127.0.0.1:${port}`)
    return standIn
  }

  /** Client settings that reach this server and send no Google credentials. */
  transport(): BigQueryTransport {
    return { apiEndpoint: this.apiEndpoint, authClient: new PassThroughClient() }
  }

  /** Every request touching this project gets 403 accessDenied, as for an account without roles there. */
  denyProject(project: string): void {
    this.deniedProjects.add(project)
  }

  /** Reads are allowed, writes get 403, as for `bigquery-public-data`. */
  readOnlyProject(project: string): void {
    this.readOnlyProjects.add(project)
  }

  /** Clones of this project's tables are refused (another organisation's data, as the public sample); copies are not. */
  refuseClones(project: string): void {
    this.noCloneProjects.add(project)
  }

  /** Creates a table and fills it directly (a test's set-up, e.g. an export in a read-only project). */
  async loadTable(
    project: string,
    dataset: string,
    tableId: string,
    schema: readonly BigQueryField[],
    rows: readonly unknown[],
  ): Promise<void> {
    const state = this.dataset(project, dataset)
    const fields = schema.map((field) => normalizeField({ ...field }))
    await this.db.run(
      `create table ${quote(`${project}.${dataset}`)}.${quote(tableId)} (${fields.map((field) => `${quote(field.name)} ${duckType(field)}`).join(', ')})`,
    )
    const table: TableState = { schema: fields, insertIds: new Set() }
    state.tables.set(tableId, table)
    if (rows.length === 0) return
    const structure = JSON.stringify([jsonStructure(fields)])
    await this.db.run(
      `insert into ${quote(`${project}.${dataset}`)}.${quote(tableId)} by name select unnest(s) from (select unnest(json_transform($rows::json, ${literal(structure)})) as s)`,
      { rows: JSON.stringify(rows.map((row) => toDuckJson(fields, row))) },
    )
  }

  /** Fails the next matching requests. */
  injectFault(fault: InjectedFault): void {
    this.faults.push({ ...fault })
  }

  /** Creates a dataset directly (a test's set-up, like the GA4 link creating `analytics_<id>`). */
  async createDataset(project: string, dataset: string, location = 'US'): Promise<void> {
    const key = `${project}.${dataset}`
    if (this.datasets.has(key)) return
    await this.db.run(`create schema ${quote(key)}`)
    this.datasets.set(key, { location, tables: new Map() })
  }

  /** Rows of a table as DuckDB JSON, for assertions. */
  async rows(project: string, dataset: string, table: string): Promise<Array<Record<string, unknown>>> {
    return (await this.db.runAndReadAll(`select * from ${quote(`${project}.${dataset}`)}.${quote(table)}`)).getRowObjectsJson() as Array<
      Record<string, unknown>
    >
  }

  /** The tables of a dataset, for assertions. */
  async tableIds(project: string, dataset: string): Promise<string[]> {
    return [...(this.datasets.get(`${project}.${dataset}`)?.tables.keys() ?? [])]
  }

  /** Whether a dataset exists, for assertions. */
  hasDataset(project: string, dataset: string): boolean {
    return this.datasets.has(`${project}.${dataset}`)
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections()
      this.server.close(() => resolve())
    })
    this.db.closeSync()
    this.instance.closeSync()
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const url = new URL(request.url ?? '/', this.apiEndpoint)
    const path = url.pathname.replace(/^\/bigquery\/v2/, '')
    const method = request.method ?? 'GET'
    let body: unknown
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = text
    }
    this.requests.push({ method, path, body, authorization: request.headers.authorization })
    const faultIndex = this.faults.findIndex((fault) => fault.method === method && fault.path.test(path) && fault.times > 0)
    const fault = faultIndex >= 0 ? this.faults[faultIndex] : undefined
    if (fault) fault.times--
    if (fault?.dropConnection) {
      request.socket.destroy()
      return
    }
    if (fault && !fault.afterApplying)
      return this.sendError(response, new HttpError(fault.status, fault.status >= 500 ? 'backendError' : 'invalid', 'Injected failure.'))
    try {
      const result = await this.route(method, path, url.searchParams, body)
      if (fault)
        return this.sendError(response, new HttpError(fault.status, 'backendError', 'Injected failure after applying the request.'))
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
      response.end(JSON.stringify(result))
    } catch (error) {
      this.sendError(
        response,
        error instanceof HttpError ? error : new HttpError(500, 'internalError', error instanceof Error ? error.message : String(error)),
      )
    }
  }

  private sendError(response: ServerResponse, error: HttpError): void {
    const status =
      { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS' }[error.status] ?? 'INTERNAL'
    response.writeHead(error.status, { 'content-type': 'application/json; charset=UTF-8' })
    response.end(
      JSON.stringify({
        error: {
          code: error.status,
          message: error.message,
          errors: [{ message: error.message, domain: 'global', reason: error.reason }],
          status,
        },
      }),
    )
  }

  private async route(method: string, path: string, query: URLSearchParams, body: unknown): Promise<unknown> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
    if (parts[0] !== 'projects' || !parts[1]) throw new HttpError(404, 'notFound', `Not found: URL ${path}`)
    const project = parts[1]
    const isJob = parts[2] === 'queries' || parts[2] === 'jobs'
    this.checkAccess(project, isJob ? 'bigquery.jobs.create' : method === 'GET' ? 'bigquery.datasets.get' : 'bigquery.tables.updateData')
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
    // /projects/p/datasets[/d[/tables[/t[/insertAll]]]]
    if (parts[2] === 'datasets') {
      if (method === 'POST' && parts.length === 3) return this.insertDataset(project, record)
      const dataset = this.dataset(project, parts[3] ?? '')
      if (parts.length === 4 && method === 'GET') return this.datasetResource(project, parts[3] ?? '', dataset)
      if (parts.length === 4 && method === 'PATCH') return this.patchDataset(project, parts[3] ?? '', dataset, record)
      if (parts.length === 4 && method === 'DELETE')
        return this.deleteDataset(project, parts[3] ?? '', dataset, query.get('deleteContents') === 'true')
      if (parts[4] === 'tables') {
        if (method === 'POST' && parts.length === 5) return this.insertTable(project, parts[3] ?? '', dataset, record)
        if (method === 'GET' && parts.length === 5) return this.listTables(project, parts[3] ?? '', dataset)
        const tableName = parts[5] ?? ''
        const table = dataset.tables.get(tableName)
        if (!table) throw new HttpError(404, 'notFound', `Not found: Table ${project}:${parts[3]}.${tableName}`)
        if (parts.length === 6 && method === 'GET')
          return {
            ...this.tableResource(project, parts[3] ?? '', tableName, table),
            numRows: String(await this.rowCount(`${project}.${parts[3]}`, tableName)),
          }
        if (parts.length === 6 && method === 'DELETE') {
          await this.db.run(`drop table ${quote(`${project}.${parts[3]}`)}.${quote(tableName)}`)
          dataset.tables.delete(tableName)
          return {}
        }
        if (parts[6] === 'insertAll' && method === 'POST') return this.insertAll(`${project}.${parts[3]}`, tableName, table, record)
      }
    }
    if (parts[2] === 'queries' && method === 'POST' && parts.length === 3) {
      return this.runQuery(project, record, String(record.location ?? 'US'))
    }
    if (parts[2] === 'queries' && method === 'GET' && parts[3]) {
      const stored = this.results.get(parts[3])
      if (!stored) throw new HttpError(404, 'notFound', `Not found: Job ${project}:${parts[3]}`)
      return stored
    }
    if (parts[2] === 'jobs' && method === 'POST' && parts.length === 3) {
      return this.insertJob(project, record)
    }
    if (parts[2] === 'jobs' && method === 'GET' && parts[3]) {
      const stored = this.results.get(parts[3]) as { jobReference?: unknown } | undefined
      if (!stored) throw new HttpError(404, 'notFound', `Not found: Job ${project}:${parts[3]}`)
      return { kind: 'bigquery#job', jobReference: stored.jobReference, status: { state: 'DONE' } }
    }
    throw new HttpError(404, 'notFound', `The stand-in does not implement ${method} ${path}`)
  }

  private checkAccess(project: string, permission: string): void {
    if (this.deniedProjects.has(project)) {
      throw new HttpError(
        403,
        'accessDenied',
        `Access Denied: Project ${project}: User does not have ${permission} permission in project ${project}.`,
      )
    }
    if (permission === 'bigquery.tables.updateData' && this.readOnlyProjects.has(project)) {
      throw new HttpError(
        403,
        'accessDenied',
        `Access Denied: Project ${project}: User does not have bigquery.tables.updateData permission.`,
      )
    }
  }

  private dataset(project: string, datasetId: string): DatasetState {
    const dataset = this.datasets.get(`${project}.${datasetId}`)
    if (!dataset) throw new HttpError(404, 'notFound', `Not found: Dataset ${project}:${datasetId}`)
    return dataset
  }

  private datasetResource(project: string, datasetId: string, dataset: DatasetState) {
    return {
      kind: 'bigquery#dataset',
      id: `${project}:${datasetId}`,
      datasetReference: { projectId: project, datasetId },
      location: dataset.location,
      ...(dataset.description === undefined ? {} : { description: dataset.description }),
      ...(dataset.labels === undefined ? {} : { labels: dataset.labels }),
    }
  }

  private async insertDataset(project: string, body: Record<string, unknown>) {
    const reference = body.datasetReference as { datasetId?: string } | undefined
    const datasetId = reference?.datasetId ?? ''
    if (!/^[A-Za-z0-9_]+$/.test(datasetId)) throw new HttpError(400, 'invalid', `Invalid dataset ID "${datasetId}".`)
    if (this.datasets.has(`${project}.${datasetId}`))
      throw new HttpError(409, 'duplicate', `Already Exists: Dataset ${project}:${datasetId}`)
    await this.createDataset(project, datasetId, typeof body.location === 'string' ? body.location : 'US')
    const dataset = this.dataset(project, datasetId)
    if (typeof body.description === 'string') dataset.description = body.description
    if (typeof body.labels === 'object' && body.labels !== null) dataset.labels = { ...(body.labels as Record<string, string>) }
    return this.datasetResource(project, datasetId, dataset)
  }

  private patchDataset(project: string, datasetId: string, dataset: DatasetState, body: Record<string, unknown>) {
    if (typeof body.description === 'string') dataset.description = body.description
    if (typeof body.labels === 'object' && body.labels !== null)
      dataset.labels = { ...dataset.labels, ...(body.labels as Record<string, string>) }
    return this.datasetResource(project, datasetId, dataset)
  }

  /** BigQuery refuses to drop a dataset holding tables unless deleteContents is set. */
  private async deleteDataset(project: string, datasetId: string, dataset: DatasetState, deleteContents: boolean) {
    if (dataset.tables.size > 0 && !deleteContents)
      throw new HttpError(400, 'resourceInUse', `Dataset ${project}:${datasetId} is still in use`)
    await this.db.run(`drop schema ${quote(`${project}.${datasetId}`)} cascade`)
    this.datasets.delete(`${project}.${datasetId}`)
    return {}
  }

  private async rowCount(schemaName: string, tableId: string): Promise<number> {
    const row = (
      await this.db.runAndReadAll(`select count(*)::integer as n from ${quote(schemaName)}.${quote(tableId)}`)
    ).getRowObjectsJson()[0]
    return Number(row?.n ?? 0)
  }

  private listTables(project: string, datasetId: string, dataset: DatasetState) {
    const tables = [...dataset.tables.keys()].sort().map((tableId) => ({
      kind: 'bigquery#table',
      id: `${project}:${datasetId}.${tableId}`,
      tableReference: { projectId: project, datasetId, tableId },
      type: 'TABLE',
    }))
    return { kind: 'bigquery#tableList', tables, totalItems: tables.length }
  }

  /** A copy job (COPY or CLONE): the destination gets the source's schema and rows; an existing one is refused unless WRITE_TRUNCATE. */
  private async copyJob(project: string, copy: Record<string, unknown>, location: string, jobId?: string) {
    type Ref = { projectId?: string; datasetId?: string; tableId?: string }
    const source = (copy.sourceTable ?? (copy.sourceTables as Ref[] | undefined)?.[0]) as Ref | undefined
    const destination = copy.destinationTable as Ref | undefined
    if (!source?.datasetId || !source.tableId || !destination?.datasetId || !destination.tableId)
      throw new HttpError(400, 'invalid', 'A copy job needs a source and a destination table.')
    const sourceProject = source.projectId ?? project
    const destinationProject = destination.projectId ?? project
    this.checkAccess(sourceProject, 'bigquery.tables.getData')
    this.checkAccess(destinationProject, 'bigquery.tables.updateData')
    if (copy.operationType === 'CLONE' && this.noCloneProjects.has(sourceProject)) {
      throw new HttpError(
        400,
        'invalid',
        `Cannot clone ${sourceProject}:${source.datasetId}.${source.tableId}: the source table is in another organization.`,
      )
    }
    const from = this.dataset(sourceProject, source.datasetId).tables.get(source.tableId)
    if (!from) throw new HttpError(404, 'notFound', `Not found: Table ${sourceProject}:${source.datasetId}.${source.tableId}`)
    const target = this.dataset(destinationProject, destination.datasetId)
    if (target.location !== this.dataset(sourceProject, source.datasetId).location)
      throw new HttpError(400, 'invalid', 'Cannot copy between datasets in different locations.')
    const fromName = `${quote(`${sourceProject}.${source.datasetId}`)}.${quote(source.tableId)}`
    const toName = `${quote(`${destinationProject}.${destination.datasetId}`)}.${quote(destination.tableId)}`
    if (target.tables.has(destination.tableId)) {
      if (copy.writeDisposition !== 'WRITE_TRUNCATE')
        throw new HttpError(409, 'duplicate', `Already Exists: Table ${destinationProject}:${destination.datasetId}.${destination.tableId}`)
      await this.db.run(`drop table ${toName}`)
    }
    await this.db.run(`create table ${toName} as select * from ${fromName}`)
    target.tables.set(destination.tableId, { schema: from.schema, insertIds: new Set() })
    const id = jobId ?? `standin_job_${++this.jobCounter}`
    const job = {
      kind: 'bigquery#job',
      jobReference: { projectId: project, jobId: id, location },
      configuration: { copy },
      status: { state: 'DONE' },
      statistics: {},
    }
    this.results.set(id, job)
    return job
  }

  private tableResource(project: string, datasetId: string, tableId: string, table: TableState) {
    return {
      kind: 'bigquery#table',
      id: `${project}:${datasetId}.${tableId}`,
      tableReference: { projectId: project, datasetId, tableId },
      schema: { fields: table.schema },
    }
  }

  private async insertTable(project: string, datasetId: string, dataset: DatasetState, body: Record<string, unknown>) {
    const tableId = (body.tableReference as { tableId?: string } | undefined)?.tableId ?? ''
    if (!/^[A-Za-z0-9_]+$/.test(tableId)) throw new HttpError(400, 'invalid', `Invalid table ID "${tableId}".`)
    if (dataset.tables.has(tableId)) throw new HttpError(409, 'duplicate', `Already Exists: Table ${project}:${datasetId}.${tableId}`)
    const schema = ((body.schema as { fields?: BigQueryField[] } | undefined)?.fields ?? []).map(normalizeField)
    if (schema.length === 0) throw new HttpError(400, 'invalid', 'The stand-in needs a schema to create a table.')
    await this.db.run(
      `create table ${quote(`${project}.${datasetId}`)}.${quote(tableId)} (${schema.map((field) => `${quote(field.name)} ${duckType(field)}`).join(', ')})`,
    )
    const table: TableState = { schema, insertIds: new Set() }
    dataset.tables.set(tableId, table)
    return this.tableResource(project, datasetId, tableId, table)
  }

  private async insertAll(schemaName: string, tableId: string, table: TableState, body: Record<string, unknown>) {
    const rows = Array.isArray(body.rows) ? (body.rows as Array<{ insertId?: unknown; json?: unknown }>) : []
    if (rows.length === 0) throw new HttpError(400, 'invalid', 'No rows present in the request.')
    if (rows.length > 50_000) throw new HttpError(400, 'invalid', 'too many rows present in the request, limit: 50000.')
    const skipInvalid = body.skipInvalidRows === true
    const ignoreUnknown = body.ignoreUnknownValues === true
    const problems = rows.map((row) => validateRecord(table.schema, row.json, ignoreUnknown, ''))
    const insertErrors: Array<{ index: number; errors: Array<{ reason: string; location: string; message: string }> }> = []
    problems.forEach((problem, index) => {
      if (problem) insertErrors.push({ index, errors: [{ reason: 'invalid', location: problem.location, message: problem.message }] })
    })
    if (insertErrors.length > 0 && !skipInvalid) {
      // Without skipInvalidRows BigQuery inserts nothing and marks the valid rows as stopped.
      problems.forEach((problem, index) => {
        if (!problem) insertErrors.push({ index, errors: [{ reason: 'stopped', location: '', message: '' }] })
      })
      return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors: insertErrors.sort((a, b) => a.index - b.index) }
    }
    const accepted: unknown[] = []
    rows.forEach((row, index) => {
      if (problems[index]) return
      const insertId = typeof row.insertId === 'string' ? row.insertId : undefined
      if (insertId !== undefined) {
        // BigQuery's de-duplication is best effort over about a minute; the stand-in remembers for ever.
        if (table.insertIds.has(insertId)) return
        table.insertIds.add(insertId)
      }
      accepted.push(toDuckJson(table.schema, row.json))
    })
    if (accepted.length > 0) {
      const structure = JSON.stringify([jsonStructure(table.schema)])
      await this.db.run(
        `insert into ${quote(schemaName)}.${quote(tableId)} by name select unnest(s) from (select unnest(json_transform($rows::json, ${literal(structure)})) as s)`,
        { rows: JSON.stringify(accepted) },
      )
    }
    return insertErrors.length > 0
      ? { kind: 'bigquery#tableDataInsertAllResponse', insertErrors }
      : { kind: 'bigquery#tableDataInsertAllResponse' }
  }

  private async insertJob(project: string, body: Record<string, unknown>) {
    const configuration = (body.configuration ?? {}) as {
      query?: Record<string, unknown>
      copy?: Record<string, unknown>
      dryRun?: boolean
    }
    const reference = (body.jobReference ?? {}) as { jobId?: string; location?: string }
    const location = reference.location ?? 'US'
    if (configuration.copy) return this.copyJob(project, configuration.copy, location, reference.jobId)
    if (!configuration.query) throw new HttpError(400, 'invalid', 'The stand-in runs query and copy jobs only.')
    if (configuration.dryRun) {
      const plan = await this.plan(project, configuration.query)
      try {
        await this.db.prepare(plan.sql)
      } catch (error) {
        throw new HttpError(400, 'invalidQuery', error instanceof Error ? (error.message.split('\n')[0] ?? 'Invalid query') : String(error))
      }
      return {
        kind: 'bigquery#job',
        jobReference: { projectId: project, location },
        configuration: { ...configuration },
        status: { state: 'DONE' },
        statistics: {
          totalBytesProcessed: String(plan.bytesProcessed),
          query: { totalBytesProcessed: String(plan.bytesProcessed), statementType: 'SELECT' },
        },
      }
    }
    const result = (await this.runQuery(project, configuration.query, location, reference.jobId)) as {
      jobReference: unknown
      totalBytesProcessed: string
    }
    return {
      kind: 'bigquery#job',
      jobReference: result.jobReference,
      configuration,
      status: { state: 'DONE' },
      statistics: { totalBytesProcessed: result.totalBytesProcessed, query: { totalBytesProcessed: result.totalBytesProcessed } },
    }
  }

  private async runQuery(project: string, request: Record<string, unknown>, location: string, jobId?: string): Promise<unknown> {
    const plan = await this.plan(project, request)
    const limit = request.maximumBytesBilled === undefined ? undefined : Number(request.maximumBytesBilled)
    if (limit !== undefined && limit > 0 && plan.bytesBilled > limit) {
      throw new HttpError(
        400,
        'bytesBilledLimitExceeded',
        `Query exceeded limit for bytes billed: ${limit}. ${plan.bytesBilled} or higher required.`,
      )
    }
    let reader
    try {
      reader = await this.db.runAndReadAll(plan.sql, plan.values, plan.types)
    } catch (error) {
      throw new HttpError(400, 'invalidQuery', error instanceof Error ? (error.message.split('\n')[0] ?? 'Invalid query') : String(error))
    }
    const names = reader.columnNames()
    const types = reader.columnTypes().map((type) => String(type))
    const objects = reader.getRowObjectsJson()
    const fields = names.map((name, index) => bigQueryFieldOfDuck(name, types[index] ?? 'VARCHAR'))
    const rows = objects.map((object) => ({ f: fields.map((field) => ({ v: encodeValue(field, object[field.name]) })) }))
    const id = jobId ?? `standin_job_${++this.jobCounter}`
    const response = {
      kind: 'bigquery#queryResponse',
      schema: { fields },
      jobReference: { projectId: project, jobId: id, location },
      totalRows: String(rows.length),
      rows,
      totalBytesProcessed: String(plan.bytesProcessed),
      jobComplete: true,
      cacheHit: false,
    }
    this.results.set(id, response)
    return response
  }

  /** Translates the SQL, binds the parameters and works out the bytes BigQuery would process. */
  private async plan(project: string, request: Record<string, unknown>) {
    if (request.useLegacySql !== false)
      throw new HttpError(400, 'invalidQuery', 'The stand-in speaks GoogleSQL only: set useLegacySql to false.')
    const sql = String(request.query ?? '')
    const parameters = (Array.isArray(request.queryParameters) ? request.queryParameters : []) as QueryParameter[]
    const declared = new Map(parameters.map((parameter) => [parameter.name ?? '', parameter]))
    const values: Record<string, ReturnType<typeof listValue> | string | null> = {}
    const types: Record<string, typeof VARCHAR | ReturnType<typeof LIST>> = {}
    for (const [name, parameter] of declared) {
      const type = parameter.parameterType?.type ?? 'STRING'
      if (type === 'ARRAY') {
        values[name] = listValue((parameter.parameterValue?.arrayValues ?? []).map((item) => textOf(item.value)))
        types[name] = LIST(VARCHAR)
      } else {
        values[name] = textOf(parameter.parameterValue?.value)
        types[name] = VARCHAR
      }
    }
    const referenced: Array<{ schema: string; table: string }> = []
    let translated = ''
    for (const piece of splitStringLiterals(sql)) {
      if (piece.isLiteral) {
        translated += piece.text
        continue
      }
      let text = piece.text.replace(/`([^`]+)`/g, (_match, ref: string) => this.resolveTable(project, ref, referenced))
      // DuckDB accepts `x in unnest(list)` only in a select list; a subquery works everywhere.
      text = text.replace(/\bin\s+unnest\(\s*@([A-Za-z_][A-Za-z0-9_]*)\s*\)/gi, 'in (select unnest(@$1))')
      text = text.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
        const parameter = declared.get(name)
        if (!parameter) throw new HttpError(400, 'invalidQuery', `Query parameter '${name}' not found`)
        const type = parameter.parameterType?.type ?? 'STRING'
        const duck =
          type === 'ARRAY'
            ? `${DUCK_TYPES[parameter.parameterType?.arrayType?.type ?? 'STRING'] ?? 'VARCHAR'}[]`
            : (DUCK_TYPES[type] ?? 'VARCHAR')
        return `(cast($${name} as ${duck}))`
      })
      // BigQuery's MD5 returns bytes that TO_HEX renders; DuckDB's md5 is already hex.
      text = text.replace(/\bto_hex\(md5\(/gi, '(md5(')
      // BigQuery names the element of `unnest(x) as p` p; DuckDB needs a column alias for it.
      text = text.replace(/\bunnest\(([A-Za-z_][A-Za-z0-9_.]*)\) as ([A-Za-z_][A-Za-z0-9_]*)/gi, 'unnest($1) as $2_rows($2)')
      translated += text
    }
    translated = aggregatesIgnoringNulls(translated)
    let bytesProcessed = 0
    let bytesBilled = 0
    for (const { schema, table } of referenced) {
      const bytes = await this.columnBytes(schema, table, sql)
      bytesProcessed += bytes
      bytesBilled += bytes > 0 ? Math.max(bytes, MIN_BILLED_BYTES_PER_TABLE) : 0
    }
    return { sql: translated, values, types, bytesProcessed, bytesBilled }
  }

  /** Replaces a backticked table reference with DuckDB's, expanding `prefix*` into its shards with `_table_suffix`. */
  private resolveTable(defaultProject: string, ref: string, referenced: Array<{ schema: string; table: string }>): string {
    const parts = ref.split('.')
    const [project, datasetId, tableName] = parts.length === 3 ? parts : [defaultProject, parts[0], parts[1]]
    if (!project || !datasetId || !tableName)
      throw new HttpError(400, 'invalidQuery', `Table name "${ref}" missing dataset while no default dataset is set in the request.`)
    this.checkAccess(project, 'bigquery.tables.getData')
    const dataset = this.dataset(project, datasetId)
    const schema = `${project}.${datasetId}`
    if (tableName.endsWith('*')) {
      const prefix = tableName.slice(0, -1)
      const shards = [...dataset.tables.keys()].filter((name) => name.startsWith(prefix)).sort()
      if (shards.length === 0)
        throw new HttpError(
          404,
          'notFound',
          `Not found: Table ${project}:${datasetId}.${tableName} was not found in location ${dataset.location}`,
        )
      for (const shard of shards) referenced.push({ schema, table: shard })
      const union = shards
        .map((shard) => `select *, ${literal(shard.slice(prefix.length))} as _table_suffix from ${quote(schema)}.${quote(shard)}`)
        .join(' union all by name ')
      return `(${union})`
    }
    if (!dataset.tables.has(tableName))
      throw new HttpError(
        404,
        'notFound',
        `Not found: Table ${project}:${datasetId}.${tableName} was not found in location ${dataset.location}`,
      )
    referenced.push({ schema, table: tableName })
    return `${quote(schema)}.${quote(tableName)}`
  }

  /** An approximation of BigQuery's bytes processed: the JSON size of the columns the SQL names. */
  private async columnBytes(schema: string, table: string, sql: string): Promise<number> {
    const state = this.datasets.get(schema)?.tables.get(table)
    const columns = (state?.schema ?? []).filter((field) => new RegExp(`\\b${field.name}\\b`).test(sql))
    if (columns.length === 0) return 0
    const sum = columns.map((field) => `coalesce(sum(strlen(cast(to_json(${quote(field.name)}) as varchar))), 0)`).join(' + ')
    const row = (await this.db.runAndReadAll(`select ${sum} as bytes from ${quote(schema)}.${quote(table)}`)).getRowObjectsJson()[0]
    return Number(row?.bytes ?? 0)
  }
}

/** A parameter value as text: the client sends INT64 values as JSON numbers, BigQuery takes both. */
function textOf(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value)
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

/**
 * `array_agg(x ignore nulls order by y)` as DuckDB spells it: `array_agg(x order by y) filter (where (x) is not null)`.
 * Like BigQuery's, the result is NULL when no value is left.
 */
function aggregatesIgnoringNulls(sql: string): string {
  const start = /\barray_agg\(/gi
  let out = ''
  let last = 0
  for (const match of sql.matchAll(start)) {
    const open = (match.index ?? 0) + match[0].length
    if (open < last) continue
    const close = closingParen(sql, open)
    const inner = sql.slice(open, close)
    const split = /^([\s\S]*?)\s+ignore\s+nulls\b([\s\S]*)$/i.exec(inner)
    if (!split) continue
    const [, value, rest] = split
    out += `${sql.slice(last, open)}${value}${rest}) filter (where (${value}) is not null)`
    last = close + 1
  }
  return out + sql.slice(last)
}

/** The index of the `)` closing the parenthesis opened just before `from`, skipping string literals. */
function closingParen(sql: string, from: number): number {
  let depth = 1
  for (let index = from; index < sql.length; index++) {
    const char = sql[index]
    if (char === "'") {
      index++
      while (index < sql.length && sql[index] !== "'") index += sql[index] === '\\' ? 2 : 1
    } else if (char === '(') depth++
    else if (char === ')' && --depth === 0) return index
  }
  throw new HttpError(400, 'invalidQuery', 'Syntax error: unbalanced parentheses')
}

function splitStringLiterals(sql: string): Array<{ text: string; isLiteral: boolean }> {
  const pieces: Array<{ text: string; isLiteral: boolean }> = []
  const pattern = /'(?:[^'\\]|\\.)*'/g
  let last = 0
  for (const match of sql.matchAll(pattern)) {
    pieces.push({ text: sql.slice(last, match.index), isLiteral: false }, { text: match[0], isLiteral: true })
    last = (match.index ?? 0) + match[0].length
  }
  pieces.push({ text: sql.slice(last), isLiteral: false })
  return pieces
}

function normalizeField(field: BigQueryField): BigQueryField {
  const type =
    ({ INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD' } as Record<string, BigQueryField['type']>)[field.type] ??
    field.type
  return { name: field.name, type, mode: field.mode ?? 'NULLABLE', ...(field.fields ? { fields: field.fields.map(normalizeField) } : {}) }
}

function duckType(field: BigQueryField): string {
  const base =
    field.type === 'RECORD'
      ? `STRUCT(${(field.fields ?? []).map((child) => `${quote(child.name)} ${duckType(child)}`).join(', ')})`
      : (DUCK_TYPES[field.type] ?? 'VARCHAR')
  return field.mode === 'REPEATED' ? `${base}[]` : base
}

function jsonStructure(fields: BigQueryField[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((field) => {
      const inner = field.type === 'RECORD' ? jsonStructure(field.fields ?? []) : (DUCK_TYPES[field.type] ?? 'VARCHAR')
      return [field.name, field.mode === 'REPEATED' ? [inner] : inner]
    }),
  )
}

/** Checks a row against the schema the way insertAll does; the first problem, or undefined. */
function validateRecord(
  fields: BigQueryField[],
  value: unknown,
  ignoreUnknown: boolean,
  prefix: string,
): { location: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { location: prefix, message: 'This field is not a record.' }
  const record = value as Record<string, unknown>
  const known = new Map(fields.map((field) => [field.name, field]))
  if (!ignoreUnknown) {
    const unknownKey = Object.keys(record).find((key) => !known.has(key))
    if (unknownKey !== undefined) return { location: `${prefix}${unknownKey}`, message: `no such field: ${prefix}${unknownKey}.` }
  }
  for (const field of fields) {
    const location = `${prefix}${field.name}`
    const item = record[field.name]
    if (item === null || item === undefined) {
      if (field.mode === 'REQUIRED') return { location, message: `Missing required field: ${location}.` }
      continue
    }
    if (field.mode === 'REPEATED') {
      if (!Array.isArray(item)) return { location, message: `Array specified for non-repeated field: ${location}.` }
      for (const element of item) {
        const problem = validateScalarOrRecord(field, element, ignoreUnknown, location)
        if (problem) return problem
      }
      continue
    }
    const problem = validateScalarOrRecord(field, item, ignoreUnknown, location)
    if (problem) return problem
  }
  return undefined
}

function validateScalarOrRecord(
  field: BigQueryField,
  value: unknown,
  ignoreUnknown: boolean,
  location: string,
): { location: string; message: string } | undefined {
  if (field.type === 'RECORD') return validateRecord(field.fields ?? [], value, ignoreUnknown, `${location}.`)
  const text = typeof value === 'number' || typeof value === 'string' ? String(value) : undefined
  const bad = {
    location,
    message: `Cannot convert value to ${field.type.toLowerCase()}: ${JSON.stringify(value).slice(0, 60)} (${location}).`,
  }
  switch (field.type) {
    case 'STRING':
      return typeof value === 'string' ? undefined : { location, message: `This field: ${location} is not a string.` }
    case 'INTEGER':
      return text !== undefined && /^-?\d+$/.test(text) ? undefined : bad
    case 'FLOAT':
    case 'NUMERIC':
      return text !== undefined && text.trim() !== '' && Number.isFinite(Number(text)) ? undefined : bad
    case 'BOOLEAN':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : bad
    case 'DATE':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : bad
    case 'TIMESTAMP':
      return text !== undefined && !Number.isNaN(Date.parse(typeof value === 'number' ? new Date(value * 1000).toISOString() : text))
        ? undefined
        : bad
    default:
      return bad
  }
}

/** A validated row as DuckDB's JSON reader wants it (timestamps as text). */
function toDuckJson(fields: BigQueryField[], value: unknown): unknown {
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    const item = record[field.name]
    if (item === null || item === undefined) continue
    const convert = (element: unknown): unknown => {
      if (field.type === 'RECORD') return toDuckJson(field.fields ?? [], element)
      if (field.type === 'TIMESTAMP')
        return (typeof element === 'number' ? new Date(element * 1000) : new Date(String(element)))
          .toISOString()
          .replace('T', ' ')
          .replace('Z', '')
      return element
    }
    out[field.name] = field.mode === 'REPEATED' ? (item as unknown[]).map(convert) : convert(item)
  }
  return out
}

/** The BigQuery result field of a DuckDB result column type. */
function bigQueryFieldOfDuck(name: string, type: string): BigQueryField {
  if (type.endsWith('[]')) return { ...bigQueryFieldOfDuck(name, type.slice(0, -2)), mode: 'REPEATED' }
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER)$/.test(type)) return { name, type: 'INTEGER', mode: 'NULLABLE' }
  if (/^(DOUBLE|FLOAT)$/.test(type)) return { name, type: 'FLOAT', mode: 'NULLABLE' }
  if (type.startsWith('DECIMAL')) return { name, type: 'NUMERIC', mode: 'NULLABLE' }
  if (type === 'BOOLEAN') return { name, type: 'BOOLEAN', mode: 'NULLABLE' }
  if (type === 'DATE') return { name, type: 'DATE', mode: 'NULLABLE' }
  if (type.startsWith('TIMESTAMP')) return { name, type: 'TIMESTAMP', mode: 'NULLABLE' }
  if (type.startsWith('STRUCT'))
    throw new HttpError(400, 'invalidQuery', `The stand-in returns scalar and array columns only, not ${type} (${name}).`)
  return { name, type: 'STRING', mode: 'NULLABLE' }
}

/** A value in the `f`/`v` row format, as BigQuery sends it (everything as text; timestamps as int64 micros). */
function encodeValue(field: BigQueryField, value: unknown): unknown {
  // BigQuery turns a NULL array into an empty one in query results.
  if (field.mode === 'REPEATED' && (value === null || value === undefined)) return []
  if (value === null || value === undefined) return null
  if (field.mode === 'REPEATED') return (value as unknown[]).map((element) => ({ v: encodeValue({ ...field, mode: 'NULLABLE' }, element) }))
  if (field.type === 'TIMESTAMP') return String(BigInt(Date.parse(`${String(value).replace(' ', 'T')}Z`)) * 1000n)
  return String(value)
}
