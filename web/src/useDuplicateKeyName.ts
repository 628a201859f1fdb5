import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { api } from './api.ts'
import { queryKeys } from './queryKeys.ts'

/** The text once typing has paused, so a lookup is not sent on every key press. */
function useSettled(text: string, ms = 300): string {
  const [settled, setSettled] = useState(text)
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(text), ms)
    return () => window.clearTimeout(timer)
  }, [text, ms])
  return settled
}

/**
 * How many keys of the project that are not revoked already carry this name (ignoring case and outer spaces): two
 * keys named alike are told apart only by a 4-hex prefix, so the create dialog warns (it does not refuse).
 */
export function useDuplicateKeyName(accountId: string, projectId: string, name: string): number {
  const wanted = useSettled(name.trim().toLowerCase())
  const params = { projectId, q: wanted, hideRevoked: true, pageSize: 100 }
  const found = useQuery({
    queryKey: queryKeys.keyPage(accountId, params),
    queryFn: () => api.keys(accountId, params),
    enabled: wanted !== '' && projectId !== '',
  })
  if (!wanted || !found.data) return 0
  return found.data.data.filter((key) => key.name.trim().toLowerCase() === wanted).length
}
