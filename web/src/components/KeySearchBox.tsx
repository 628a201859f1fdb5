import { useEffect, useId, useRef, useState } from 'react'

/**
 * The API Keys search: by name or prefix, sent to the server a moment after typing stops (a list of 500 keys is
 * searched there, not in the page). The URL keeps the text, so it is shown again after a reload.
 */
export function KeySearchBox({ value, onSearch }: { value: string; onSearch: (text: string) => void }) {
  const id = useId()
  const [text, setText] = useState(value)
  const sent = useRef(value)
  useEffect(() => {
    // Back/Forward changed it; the echo of our own search must not undo what was typed since.
    if (value !== sent.current) {
      sent.current = value
      setText(value)
    }
  }, [value])
  const search = (next: string) => {
    sent.current = next
    onSearch(next)
  }
  useEffect(() => {
    if (text === sent.current) return
    const timer = window.setTimeout(() => {
      sent.current = text
      onSearch(text)
    }, 250)
    return () => window.clearTimeout(timer)
  }, [text, onSearch])
  return (
    <div className="field toolbar-field toolbar-search">
      <label htmlFor={id}>Search keys</label>
      <input
        id={id}
        type="search"
        className="input"
        placeholder="Name, prefix (dtk_live_…), tag or description"
        value={text}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') search(text)
        }}
      />
    </div>
  )
}
