import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { crc32, inflateRawSync } from 'node:zlib'
import { UV_VERSION } from './uv-release'

/** A GET that follows redirects; resolves with a 200 response. Node's http, not fetch: fetch refuses some ports a mirror may use. */
export function httpGet(
  url: string,
  options: { accept?: string; signal?: AbortSignal; timeoutMs: number },
  redirects = 5,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined
    if (!client) {
      reject(new Error(`${url} is not an http(s) URL`))
      return
    }
    const headers = { accept: options.accept ?? '*/*', 'user-agent': `realtime-attribution (uv ${UV_VERSION} bootstrap)` }
    const request = client.get(target, { headers, signal: options.signal, timeout: options.timeoutMs }, (response) => {
      const status = response.statusCode ?? 0
      if (status >= 300 && status < 400 && response.headers.location && redirects > 0) {
        response.resume()
        resolve(httpGet(new URL(response.headers.location, target).href, options, redirects - 1))
      } else if (status !== 200) {
        response.resume()
        reject(new Error(`${target.host} answered HTTP ${status} for ${target.pathname}`))
      } else resolve(response)
    })
    request.on('timeout', () =>
      request.destroy(
        Object.assign(new Error(`no answer from ${target.host} within ${options.timeoutMs / 1000} s (ETIMEDOUT)`), { code: 'ETIMEDOUT' }),
      ),
    )
    request.on('error', (error: NodeJS.ErrnoException) => {
      const where = `${target.protocol}//${target.host}`
      reject(new Error(error.code && !error.message.includes(where) ? `${where}: ${error.code} (${error.message})` : error.message))
    })
  })
}

/** A response's whole body, telling the bytes received so far as they come. */
export async function readBody(response: IncomingMessage, onBytes?: (received: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = []
  let received = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    received += chunk.length
    onBytes?.(received)
  }
  return Buffer.concat(chunks)
}

/** The download URL of a file on a simple-index page: PEP 691 JSON or PEP 503 HTML. */
export function findFileUrl(body: string, contentType: string, pageUrl: string, filename: string): string | undefined {
  if (/json/i.test(contentType)) {
    const parsed = JSON.parse(body) as { files?: Array<{ filename?: unknown; url?: unknown }> }
    const file = parsed.files?.find((candidate) => candidate.filename === filename)
    return typeof file?.url === 'string' ? new URL(file.url, pageUrl).href : undefined
  }
  for (const match of body.matchAll(/<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>\s*([^<]*?)\s*<\/a>/gi)) {
    const href = match[1]!.replace(/&amp;/g, '&')
    const hrefName = decodeURIComponent(new URL(href, pageUrl).pathname.split('/').at(-1) ?? '')
    if (match[2] === filename || hrefName === filename) return new URL(href, pageUrl).href.replace(/#.*$/, '')
  }
  return undefined
}

/** One member of a ZIP archive (a wheel), checked against its CRC-32. Enough ZIP for uv's wheel: no ZIP64, stored or deflated. */
export function extractZipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) throw new Error('not a ZIP archive')
  const entries = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  for (let index = 0; index < entries; index += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged ZIP directory')
    const method = zip.readUInt16LE(at + 10)
    const crc = zip.readUInt32LE(at + 16)
    const compressedSize = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localHeader = zip.readUInt32LE(at + 42)
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + extraLength + commentLength
    if (entryName !== name) continue
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28)
    const raw = zip.subarray(dataStart, dataStart + compressedSize)
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined
    if (!data) throw new Error(`${name} uses ZIP method ${method}`)
    if (crc32(data) !== crc) throw new Error(`${name} is damaged (CRC mismatch)`)
    return data
  }
  throw new Error(`${name} is not in the archive`)
}
