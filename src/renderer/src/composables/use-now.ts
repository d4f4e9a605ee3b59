import { onBeforeUnmount, ref, type Ref } from 'vue'

/** The current time in ms, refreshed every `intervalMs`, so "2 min ago" labels keep counting. */
export function useNow(intervalMs = 15_000): Ref<number> {
  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), intervalMs)
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
