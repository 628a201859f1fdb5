import { useCallback, useState } from 'react'

function read(key: string, fallback: boolean): boolean {
  try {
    const stored = window.localStorage.getItem(key)
    return stored === null ? fallback : stored === 'true'
  } catch {
    return fallback
  }
}

/** A boolean preference kept in localStorage, so that it survives reloads (and falls back quietly without it). */
export function useStoredBoolean(key: string, fallback = false): [boolean, (value: boolean) => void] {
  const [value, setValue] = useState(() => read(key, fallback))
  const update = useCallback(
    (next: boolean) => {
      setValue(next)
      try {
        window.localStorage.setItem(key, String(next))
      } catch {
        // Storage full or disabled: the choice lasts until the page is left.
      }
    },
    [key],
  )
  return [value, update]
}
