/**
 * What the compiled CLI loads for `@duckdb/node-bindings` (scripts/build-cli.mjs maps it here). That
 * package picks the native binding of this platform after asking `detect-libc` whether Linux runs
 * musl, which alone took 15-25 ms of `report`'s start-up; npm installs only the binding package whose
 * os, cpu and libc match, so loading `@duckdb/node-bindings-<platform>-<arch>` first is right wherever
 * that package is installed, and the package's own choice runs where it is not (musl, or a binding
 * that cannot load here).
 */
import { createRequire } from 'node:module'

const loadPackage = createRequire(import.meta.url)

function nativeBinding(): unknown {
  try {
    return loadPackage(`@duckdb/node-bindings-${process.platform}-${process.arch}/duckdb.node`)
  } catch {
    return loadPackage('@duckdb/node-bindings')
  }
}

export default nativeBinding()
