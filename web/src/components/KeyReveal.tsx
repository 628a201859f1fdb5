import type { ReactNode } from 'react'
import { CopyField } from './CopyField.tsx'

/** A raw key shown once, with its copy button: after creating a key and after rolling one. */
export function KeyReveal({
  rawKey,
  onDone,
  children,
}: {
  rawKey: string
  onDone: () => void
  children?: ReactNode
}) {
  return (
    <div className="stack">
      <p className="callout callout-warning">
        <strong>This key will not be shown again.</strong> Copy it now and store it somewhere safe, such as a
        secrets manager.
      </p>
      <CopyField label="API key" value={rawKey} />
      {children}
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  )
}
