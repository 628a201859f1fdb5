interface PaginationProps {
  page: number
  pageCount: number
  onPageChange: (page: number) => void
  summary?: string
}

export function Pagination({ page, pageCount, onPageChange, summary }: PaginationProps) {
  return (
    <nav className="pagination" aria-label="Pagination">
      {summary ? <span className="pagination-summary">{summary}</span> : <span />}
      <div className="pagination-controls">
        <button
          type="button"
          className="button small"
          disabled={page <= 1}
          onClick={() => onPageChange(page - 1)}
        >
          Previous
        </button>
        <span className="pagination-page">
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
