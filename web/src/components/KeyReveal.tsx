import { type ReactNode, useEffect, useRef } from 'react'
import type { KeyRow } from '../api.ts'
import { curlForKey } from '../keyCurl.ts'
import { useScopeGuide } from '../queries.ts'
import { CopyField } from './CopyField.tsx'

interface KeyRevealProps {
  created: { key: KeyRow; rawKey: string }
  onCopied: () => void
  /** Escape, × or Done was pressed before the key was copied: ask first. */
  confirmingDiscard: boolean
  onKeepOpen: () => void
  /** Asks to close (the dialog asks first if the key was never copied). */
  onDone: () => void
  /** Closes for good, after the admin confirmed. */
  onDiscard: () => void
  /** Shown under the key: what a roll did to the previous secret, for one. */
  children?: ReactNode
}

/** The new key, shown once, with a ready `curl` that uses it; leaving without copying it asks first. */
export function KeyReveal({
  created,
  onCopied,
  confirmingDiscard,
  onKeepOpen,
  onDone,
  onDiscard,
  children,
}: KeyRevealProps) {
  const guide = useScopeGuide()
  const keepOpen = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (confirmingDiscard) keepOpen.current?.focus()
  }, [confirmingDiscard])
  const curl = curlForKey({
    origin: window.location.origin,
    projectId: created.key.projectId,
    scopes: created.key.scopes,
    rawKey: created.rawKey,
    guide: guide.data?.data,
  })
  return (
    <div className="stack">
      <p className="callout callout-warning">
        <strong>This key will not be shown again.</strong> Copy it now and store it somewhere safe, such as a
        secrets manager.
      </p>
      <CopyField label="API key" value={created.rawKey} onCopied={onCopied} />
      <CopyField label="Try it with curl" value={curl} onCopied={onCopied} multiline />
      {children}
      {confirmingDiscard ? (
        <div className="callout callout-danger discard-confirm" role="alert">
          <p>
            <strong>You have not copied this key.</strong> Once this dialog closes it cannot be shown again:
            you would have to create or roll another key.
          </p>
          <div className="dialog-actions">
            <button ref={keepOpen} type="button" className="button" onClick={onKeepOpen}>
              Keep the key open
            </button>
            <button type="button" className="button danger" onClick={onDiscard}>
              Discard key
            </button>
          </div>
        </div>
      ) : (
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={onDone}>
            Done
          </button>
        </div>
      )}
    </div>
  )
}
