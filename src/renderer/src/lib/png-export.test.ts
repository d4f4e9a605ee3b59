import { describe, expect, it } from 'vitest'
import { optionForPicture } from './png-export'

describe('optionForPicture', () => {
  it('lays a scrolling legend out flat, so a saved picture shows every entry, and draws without animation', () => {
    const picture = optionForPicture({ legend: { type: 'scroll', top: 0 }, series: [] })
    expect(picture.legend).toEqual({ type: 'plain', top: 0 })
    expect(picture.animation).toBe(false)
  })

  it('adds no legend to a chart without one', () => {
    expect(optionForPicture({ series: [] })).not.toHaveProperty('legend')
  })
})
