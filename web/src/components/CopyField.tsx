import { useEffect, useId, useRef, useState } from 'react'

/**
 * A secret or link shown in a read-only input (readable by its label) with a Copy button. When the clipboard is
 * unavailable (no permission, insecure context) the text is selected for a manual copy instead.
 */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
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
        <input
          ref={input}
          id={id}
          className="input mono"
          value={value}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button" onClick={copy}>
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
