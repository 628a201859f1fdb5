import { useId } from 'react'
import { pageNumbers } from '../pageNumbers.ts'

interface PaginationProps {
  page: number
  pageCount: number
  onPageChange: (page: number) => void
  summary?: string
  /** With these, a "Rows per page" select. */
  pageSize?: number
  pageSizes?: readonly number[]
  onPageSizeChange?: (size: number) => void
}

export function Pagination({
  page,
  pageCount,
  onPageChange,
  summary,
  pageSize,
  pageSizes,
  onPageSizeChange,
}: PaginationProps) {
  const sizeId = useId()
  return (
    <nav className="pagination" aria-label="Pagination">
      <div className="pagination-summary">
        {summary ? <span>{summary}</span> : null}
        {pageSize && pageSizes && onPageSizeChange ? (
          <span className="pagination-size">
            <label htmlFor={sizeId}>Rows per page</label>
            <select
              id={sizeId}
              className="input select small"
              value={pageSize}
              onChange={(event) => onPageSizeChange(Number(event.target.value))}
            >
              {pageSizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </span>
        ) : null}
      </div>
      <div className="pagination-controls">
        <button
          type="button"
          className="button small"
          disabled={page <= 1}
          onClick={() => onPageChange(page - 1)}
        >
          Previous
        </button>
        <ol className="pagination-pages">
          {pageNumbers(page, pageCount).map((n, index) =>
            n === null ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: a gap has no identity but its place
              <li key={`gap-${index}`} className="pagination-gap" aria-hidden="true">
                …
              </li>
            ) : (
              <li key={n}>
                <button
                  type="button"
                  className={n === page ? 'button small page-current' : 'button small'}
                  aria-label={`Page ${n}`}
                  aria-current={n === page ? 'page' : undefined}
                  onClick={() => onPageChange(n)}
                >
                  {n}
                </button>
              </li>
            ),
          )}
        </ol>
        <span className="visually-hidden" aria-live="polite">
          Page {page} of {pageCount}
        </span>
        <button
          type="button"
          className="button small"
          disabled={page >= pageCount}
          onClick={() => onPageChange(page + 1)}
        >
          Next
        </button>
      </div>
    </nav>
  )
}
