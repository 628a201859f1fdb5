import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import { api } from './api.ts'
import { queryKeys } from './queryKeys.ts'

/** For views of what keys do: while the tab is visible they refresh every 5 s; a hidden tab asks nothing. */
export const liveRefresh = { refetchInterval: 5_000, refetchIntervalInBackground: false } as const

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: api.me, staleTime: 30_000 })
}

export function useProjects(accountId: string) {
  return useQuery({ queryKey: queryKeys.projects(accountId), queryFn: () => api.projects(accountId) })
}

/** The account's API key policy: the Team page edits it, the Create API Key dialog follows it. */
export function useKeyPolicy(accountId: string) {
  return useQuery({ queryKey: queryKeys.keyPolicy(accountId), queryFn: () => api.keyPolicy(accountId) })
}

/** Marks every query of the account stale (refetching the visible ones): the follow-up of any change. */
export function useInvalidateAccount(accountId: string) {
  const queryClient = useQueryClient()
  return useCallback(
    () => queryClient.invalidateQueries({ queryKey: queryKeys.account(accountId) }),
    [queryClient, accountId],
  )
}

/** What each scope opens (endpoints and MCP tools), from the server's capability table; fixed while it runs. */
export function useScopeGuide() {
  return useQuery({
    queryKey: queryKeys.scopeGuide,
    queryFn: api.scopeGuide,
    staleTime: Number.POSITIVE_INFINITY,
  })
}
