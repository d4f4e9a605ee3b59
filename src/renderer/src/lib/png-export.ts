import type { EChartsOption } from 'echarts'
import { init } from 'echarts/core'

/** What a saved chart says above the picture. */
export interface PngCaption {
  title: string
  /** One line of context: model, lookback, events, dates, drill-down. */
  subtitle: string
}

const PIXEL_RATIO = 2
const PADDING = 20
const TITLE_FONT = `600 16px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif`
const SUBTITLE_FONT = `12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif`
const CAPTION_HEIGHT = 52

/** The option as drawn for a file: no animation, and a scrolling legend laid out flat so every entry is in the picture. */
export function optionForPicture(option: EChartsOption): EChartsOption {
  const legend = option.legend
  const flatLegend = Array.isArray(legend)
    ? legend.map((one) => ({ ...one, type: 'plain' as const }))
    : legend
      ? { ...legend, type: 'plain' as const }
      : undefined
  return { ...option, animation: false, ...(flatLegend ? { legend: flatLegend } : {}) }
}

/**
 * A PNG data URL of the chart with its title and context above it, drawn by a chart of its own (so the
 * one on screen neither flickers nor changes) at the size the card has.
 */
export async function chartPng(option: EChartsOption, size: { width: number; height: number }, caption: PngCaption): Promise<string> {
  const host = document.createElement('div')
  host.style.cssText = `position:fixed;left:-10000px;top:0;width:${size.width}px;height:${size.height}px`
  document.body.append(host)
  const chart = init(host, undefined, { renderer: 'canvas', width: size.width, height: size.height, devicePixelRatio: PIXEL_RATIO })
  try {
    chart.setOption(optionForPicture(option))
    const image = await loadImage(chart.getDataURL({ type: 'png', pixelRatio: PIXEL_RATIO, backgroundColor: '#fff' }))
    const canvas = document.createElement('canvas')
    const width = size.width + PADDING * 2
    const height = size.height + CAPTION_HEIGHT + PADDING * 2
    canvas.width = width * PIXEL_RATIO
    canvas.height = height * PIXEL_RATIO
    const context = canvas.getContext('2d')
    if (!context) throw new Error('This window cannot draw pictures.')
    context.scale(PIXEL_RATIO, PIXEL_RATIO)
    context.fillStyle = '#fff'
    context.fillRect(0, 0, width, height)
    context.textBaseline = 'top'
    context.fillStyle = '#0f172a'
    context.font = TITLE_FONT
    context.fillText(caption.title, PADDING, PADDING, size.width)
    context.fillStyle = '#64748b'
    context.font = SUBTITLE_FONT
    context.fillText(caption.subtitle, PADDING, PADDING + 24, size.width)
    context.drawImage(image, PADDING, PADDING + CAPTION_HEIGHT, size.width, size.height)
    return canvas.toDataURL('image/png')
  } finally {
    chart.dispose()
    host.remove()
  }
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image()
    image.onload = () => resolve(image)
    image.onerror = () => reject(new Error('The chart picture could not be drawn.'))
    image.src = url
  })
}
