import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from 'react-router/dom'
import { ApiError, isUnauthorized } from './api.ts'
import { queryKeys } from './queryKeys.ts'
import { router } from './router.tsx'
import './styles.css'

/** A 401 anywhere means the session ended: refetching `/me` sends the account pages to the sign-in page. */
function onSessionError(error: unknown, queryKey?: readonly unknown[]) {
  if (isUnauthorized(error) && queryKey?.[0] !== 'me')
    void queryClient.invalidateQueries({ queryKey: queryKeys.me })
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => onSessionError(error, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (error) => onSessionError(error, ['mutation']) }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // Client errors (401, 403, 404) will not change on a retry; a network blip or a 5xx may.
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 1,
    },
  },
})

const root = document.getElementById('root')
if (!root) throw new Error('No #root element')

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
)
