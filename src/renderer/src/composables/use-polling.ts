import { onBeforeUnmount, onMounted } from 'vue'

/**
 * Calls `tick` now and then every `intervalMs` after the previous call finished, while the component is mounted
 * and the window is visible; waiting for the previous call means a slow service is never asked twice at once.
 */
export function usePolling(tick: () => Promise<void>, intervalMs: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let isActive = false

  const schedule = () => {
    clearTimeout(timer)
    if (isActive && document.visibilityState === 'visible') timer = setTimeout(run, intervalMs)
  }
  const run = async () => {
    await tick()
    schedule()
  }
  const onVisibility = () => {
    if (document.visibilityState === 'visible') void run()
    else clearTimeout(timer)
  }

  onMounted(() => {
    isActive = true
    document.addEventListener('visibilitychange', onVisibility)
    void run()
  })
  onBeforeUnmount(() => {
    isActive = false
    clearTimeout(timer)
    document.removeEventListener('visibilitychange', onVisibility)
  })
}
