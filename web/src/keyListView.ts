import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router'
import type { KeyListParams, KeySort, SortOrder } from './api.ts'
import { useStoredBoolean } from './useStoredBoolean.ts'

/** The API Keys page's view as its URL holds it, so a search, sort or page can be reloaded and linked to. */
export interface KeyListView {
  q: string
  project: string
  sort: KeySort
  order: SortOrder
  page: number
  size: number
  hideRevoked: boolean
}

export const pageSizes = [10, 25, 50, 100] as const
const defaultSize = 25
const sorts: readonly KeySort[] = ['created', 'name', 'project', 'status', 'expires', 'lastUsed']
const ascendingFirst: ReadonlySet<KeySort> = new Set(['name', 'project', 'status'])

const positive = (text: string | null, fallback: number) =>
  text && /^\d{1,6}$/.test(text) && Number(text) > 0 ? Number(text) : fallback

type Changes = Partial<Record<'q' | 'project' | 'sort' | 'order' | 'page' | 'size' | 'hidden', string | null>>

/**
 * Reads and changes the view in the URL. A change of search, filter, sort or size goes back to page 1. Hide revoked
 * also stays in localStorage, so the sidebar's plain link keeps the admin's choice.
 */
export function useKeyListView() {
  const [params, setParams] = useSearchParams()
  const [storedHide, setStoredHide] = useStoredBoolean('keyward.keys.hideRevoked')
  const hidden = params.get('hidden')
  const view = useMemo<KeyListView>(() => {
    const sort = params.get('sort') as KeySort | null
    const size = positive(params.get('size'), defaultSize)
    return {
      q: params.get('q') ?? '',
      project: params.get('project') ?? '',
      sort: sort && sorts.includes(sort) ? sort : 'created',
      order:
        params.get('order') === 'asc' ? 'asc' : params.get('order') === 'desc' ? 'desc' : defaultOrder(sort),
      page: positive(params.get('page'), 1),
      size: (pageSizes as readonly number[]).includes(size) ? size : defaultSize,
      hideRevoked: hidden === null ? storedHide : hidden === '1',
    }
  }, [params, hidden, storedHide])

  const change = useCallback(
    (changes: Changes, options: { replace?: boolean } = {}) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current)
          if (!('page' in changes)) next.delete('page')
          for (const [name, value] of Object.entries(changes)) {
            if (value === null || value === '') next.delete(name)
            else next.set(name, value)
          }
          if (next.get('page') === '1') next.delete('page')
          return next
        },
        { replace: options.replace ?? false },
      ),
    [setParams],
  )

  const actions = useMemo(
    () => ({
      search: (q: string) => change({ q }, { replace: true }), // typing is one history entry, not one per key
      filterProject: (project: string) => change({ project }),
      setHideRevoked: (hide: boolean) => {
        setStoredHide(hide)
        change({ hidden: hide ? '1' : '0' })
      },
      sortBy: (field: KeySort) => {
        const order = field === view.sort ? (view.order === 'asc' ? 'desc' : 'asc') : defaultOrder(field)
        change({ sort: field, order })
      },
      goToPage: (page: number) => change({ page: String(page) }),
      setSize: (size: number) => change({ size: String(size) }),
    }),
    [change, setStoredHide, view.sort, view.order],
  )
  return { view, ...actions }
}

function defaultOrder(sort: KeySort | null): SortOrder {
  return sort && ascendingFirst.has(sort) ? 'asc' : 'desc'
}

/** The list request for a view. */
export function keyListParams(view: KeyListView): KeyListParams {
  return {
    q: view.q.trim() || undefined,
    projectId: view.project || undefined,
    hideRevoked: view.hideRevoked,
    sort: view.sort,
    order: view.order,
    page: view.page,
    pageSize: view.size,
  }
}
