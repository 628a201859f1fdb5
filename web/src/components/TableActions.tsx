import type { ButtonHTMLAttributes } from 'react'

/** The row-actions column has no visible title; screen readers still need one to announce its cells. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  )
}

interface RowActionButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  danger?: boolean
}

/** A small button in a table row; give it an aria-label naming the row, as its text alone is the same on every row. */
export function RowActionButton({ danger = false, ...props }: RowActionButtonProps) {
  return (
    <button type="button" className={danger ? 'button small danger-outline' : 'button small'} {...props} />
  )
}
