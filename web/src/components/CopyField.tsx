import { useEffect, useId, useRef, useState } from 'react'

/**
 * A secret or link shown in a read-only input (readable by its label) with a Copy button. When the clipboard is
 * unavailable (no permission, insecure context) the text is selected for a manual copy instead.
 */
export function CopyField({
  label,
  value,
  onCopied,
  multiline = false,
}: {
  label: string
  value: string
  /** Called once the text reached the clipboard, by the button or by the reader's own Ctrl+C. */
  onCopied?: () => void
  /** A command rather than a token: wrapped in a read-only text area. */
  multiline?: boolean
}) {
  const id = useId()
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')

  useEffect(() => {
    if (state !== 'copied') return
    const timer = window.setTimeout(() => setState('idle'), 2000)
    return () => window.clearTimeout(timer)
  }, [state])

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('No clipboard')
      await navigator.clipboard.writeText(value)
      setState('copied')
      onCopied?.()
    } catch {
      setState('failed')
      input.current?.focus()
      input.current?.select()
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        {multiline ? (
          <textarea
            ref={input}
            id={id}
            className="input mono copy-text"
            value={value}
            readOnly
            rows={3}
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
            onCopy={onCopied}
          />
        ) : (
          <input
            ref={input}
            id={id}
            className="input mono"
            value={value}
            readOnly
            spellCheck={false}
            autoComplete="off"
            onFocus={(event) => event.currentTarget.select()}
            onCopy={onCopied}
          />
        )}
        <button type="button" className="button" onClick={copy} aria-label={`Copy ${label}`}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {state === 'failed' ? (
        <p role="status" className="field-hint">
          Could not copy automatically. The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.
        </p>
      ) : null}
    </div>
  )
}
