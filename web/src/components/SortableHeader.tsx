import type { SortOrder } from '../api.ts'
import { SortIcon } from './icons.tsx'

interface SortableHeaderProps<Field extends string> {
  field: Field
  label: string
  sort: Field
  order: SortOrder
  onSort: (field: Field) => void
}

/** A column header that sorts by its column; `aria-sort` tells which column the rows follow, and which way. */
export function SortableHeader<Field extends string>({
  field,
  label,
  sort,
  order,
  onSort,
}: SortableHeaderProps<Field>) {
  const active = field === sort
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(field)}>
        {label}
        <SortIcon
          className={active ? 'sort-indicator active' : 'sort-indicator'}
          direction={active ? order : null}
        />
      </button>
    </th>
  )
}
