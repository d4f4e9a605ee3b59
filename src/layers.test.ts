import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The house's layers (docs/architecture.md, "Layers"): a product file imports only from its own
// layer or the ones below it, and no two product files import each other, however indirectly.
// Tests and test support (`*.test.ts`, `testing/` folders) may import anything.

/** Bottom first: each layer's folders (ending in `/`) and files, relative to the project root. */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'shared vocabulary', paths: ['src/shared/'] },
  {
    name: 'foundation',
    paths: ['src/main/errors.ts', 'src/main/paths.ts', 'src/main/private-files.ts', 'src/main/content-types.ts', 'src/main/shutdown.ts'],
  },
  {
    name: 'storage',
    paths: ['src/main/warehouse/', 'src/main/dbt/', 'src/main/settings/', 'src/main/referrals/', 'src/main/credentials/'],
  },
  { name: 'engines', paths: ['src/main/generator/', 'src/main/serving/', 'src/main/stream/', 'src/main/bigquery/', 'src/main/demo/'] },
  { name: 'services', paths: ['src/main/services/'] },
  { name: 'entry points', paths: ['src/main/api/', 'src/main/cli/', 'src/main/app-services.ts'] },
  { name: 'shells', paths: ['src/main/bridge/', 'src/main/electron/', 'src/main/packaging/'] },
]
/** The renderer and the preload stand apart: they reach the main process only through the typed API in src/shared. */
const ISOLATED = ['src/renderer/', 'src/preload/']

const ROOT = join(__dirname, '..')
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g
const ALIASES: Record<string, string> = { '@shared/': 'src/shared/', '@renderer/': 'src/renderer/src/', '@/': 'src/renderer/src/' }

function productFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'testing' || name === 'node_modules' ? [] : productFiles(path)
    return /\.(ts|vue)$/.test(name) && !name.includes('.test.') && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** The project file an import names, or undefined for a package. */
function resolveImport(from: string, spec: string): string | undefined {
  let base: string | undefined
  if (spec.startsWith('.')) base = normalize(join(dirname(from), spec))
  else {
    const alias = Object.keys(ALIASES).find((prefix) => spec.startsWith(prefix))
    if (alias) base = (ALIASES[alias] as string) + spec.slice(alias.length)
  }
  if (base === undefined) return undefined
  const stem = base.replace(/\.js$/, '')
  return [stem, `${stem}.ts`, `${stem}.vue`, `${stem}/index.ts`].find(
    (candidate) => existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile(),
  )
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of productFiles('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    const targets = [...text.matchAll(IMPORT)]
      .map((match) => resolveImport(file, (match[1] ?? match[2]) as string))
      .filter((target) => target !== undefined)
    graph.set(
      file,
      [...new Set(targets)].map((target) => relative(ROOT, join(ROOT, target))),
    )
  }
  return graph
}

function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.paths.some((path) => (path.endsWith('/') ? file.startsWith(path) : file === path)))
}

/** Strongly connected components of more than one file (Tarjan): the import circles. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (file: string): void => {
    index.set(file, next)
    low.set(file, next)
    next += 1
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number))
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file) as number, index.get(target) as number))
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop() as string
        onStack.delete(member)
        component.push(member)
      } while (member !== file)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return found
}

/** The renderer's feature folder a file is in (`src/renderer/src/features/<feature>/`), if any. */
function featureOf(file: string): string | undefined {
  return /^src\/renderer\/src\/features\/([^/]+)\//.exec(file)?.[1]
}

/** Imports that cross a feature's boundary: into another feature, or into a feature from a shared folder (only the shell, App.vue, picks views). */
function featureCrossings(graph: Map<string, string[]>): string[] {
  const crossings: string[] = []
  for (const [file, targets] of graph) {
    if (!file.startsWith('src/renderer/') || file === 'src/renderer/src/App.vue') continue
    for (const target of targets) {
      const into = featureOf(target)
      if (into !== undefined && into !== featureOf(file)) crossings.push(`${file} -> ${target}`)
    }
  }
  return crossings
}

describe('the import graph', () => {
  const graph = importGraph()

  it('puts every main-process file in a layer', () => {
    const main = [...graph.keys()].filter((file) => file.startsWith('src/main/') || file.startsWith('src/shared/'))
    expect(main.filter((file) => layerOf(file) < 0)).toEqual([])
    expect(main.length).toBeGreaterThan(100)
  })

  it('has no import from a layer to one above it', () => {
    const broken: string[] = []
    for (const [file, targets] of graph) {
      if (ISOLATED.some((prefix) => file.startsWith(prefix))) {
        for (const target of targets) {
          if (!target.startsWith('src/shared/') && !ISOLATED.some((prefix) => target.startsWith(prefix)))
            broken.push(`${file} -> ${target} (the renderer and preload reach the main process only through src/shared's API)`)
        }
        continue
      }
      const layer = layerOf(file)
      for (const target of targets) {
        const targetLayer = ISOLATED.some((prefix) => target.startsWith(prefix)) ? Number.POSITIVE_INFINITY : layerOf(target)
        if (targetLayer > layer) broken.push(`${file} (${LAYERS[layer]?.name}) -> ${target} (${LAYERS[targetLayer]?.name ?? 'renderer'})`)
      }
    }
    expect(broken).toEqual([])
  })

  it('has no import circles', () => {
    expect(circles(graph)).toEqual([])
  })

  it('finds a circle and a broken layer when there is one (the checks can fail)', () => {
    const made = new Map(graph)
    made.set('src/main/warehouse/duckdb-file.ts', [
      ...(graph.get('src/main/warehouse/duckdb-file.ts') ?? []),
      'src/main/services/sample-data.ts',
    ])
    made.set('src/main/services/sample-data.ts', [
      ...(graph.get('src/main/services/sample-data.ts') ?? []),
      'src/main/warehouse/duckdb-file.ts',
    ])
    expect(circles(made).some((circle) => circle.includes('src/main/warehouse/duckdb-file.ts'))).toBe(true)
    expect(layerOf('src/main/services/sample-data.ts')).toBeGreaterThan(layerOf('src/main/warehouse/duckdb-file.ts'))
  })

  it('keeps the renderer features apart: none imports another, and no shared folder imports one', () => {
    expect(featureCrossings(graph)).toEqual([])
    const made = new Map(graph)
    made.set('src/renderer/src/features/compare/CompareView.vue', ['src/renderer/src/features/trends/trends-store.ts'])
    made.set('src/renderer/src/components/ChartCard.vue', ['src/renderer/src/features/paths/paths-store.ts'])
    expect(featureCrossings(made)).toHaveLength(2)
  })
})
