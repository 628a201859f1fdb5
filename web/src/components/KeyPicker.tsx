import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { type KeyboardEvent, useDeferredValue, useId, useState } from 'react'
import { api } from '../api.ts'
import { queryKeys } from '../queryKeys.ts'

interface KeyPickerProps {
  accountId: string
  /** The chosen key's id; '' for all keys. */
  value: string
  onChange: (keyId: string) => void
  className?: string
}

interface Choice {
  id: string
  label: string
}

const allKeys: Choice = { id: '', label: 'All keys' }
const shown = 20

/**
 * A searchable key picker (the ARIA combobox pattern): typing asks the server for keys by name or prefix, so every key
 * of the account is reachable, however many there are. Arrow keys move, Enter chooses, Escape closes.
 */
export function KeyPicker({ accountId, value, onChange, className }: KeyPickerProps) {
  const id = useId()
  const listId = `${id}-list`
  const [text, setText] = useState<string | null>(null)
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(0)
  const search = useDeferredValue(text ?? '')

  const params = { search: search || undefined, pageSize: shown }
  const found = useQuery({
    queryKey: queryKeys.keyPage(accountId, params),
    queryFn: () => api.keys(accountId, params),
    enabled: open,
    placeholderData: keepPreviousData,
  })
  // The chosen key's name, also when the page opened on a link that names it.
  const chosen = useQuery({
    queryKey: queryKeys.key(accountId, value),
    queryFn: () => api.key(value),
    enabled: value !== '',
  })
  const chosenLabel = value === '' ? '' : chosen.data ? labelOf(chosen.data.key) : value

  const choices: Choice[] = [
    allKeys,
    ...(found.data?.data ?? []).map((key) => ({ id: key.id, label: labelOf(key) })),
  ]

  function choose(choice: Choice) {
    onChange(choice.id)
    setText(null)
    setOpen(false)
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (!open) setOpen(true)
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((current) => (current + step + choices.length) % choices.length)
    } else if (event.key === 'Enter' && open) {
      event.preventDefault()
      const choice = choices[active]
      if (choice) choose(choice)
    } else if (event.key === 'Escape' && open) {
      event.preventDefault()
      setText(null)
      setOpen(false)
    }
  }

  return (
    <div className={`field combobox ${className ?? ''}`}>
      <label htmlFor={id}>Key</label>
      <input
        id={id}
        className="input"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${id}-option-${active}` : undefined}
        placeholder="All keys — type a name or prefix"
        autoComplete="off"
        value={text ?? chosenLabel}
        onChange={(event) => {
          setText(event.target.value)
          setActive(0)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setText(null)
          setOpen(false)
        }}
        onKeyDown={onKeyDown}
      />
      {open ? (
        <div id={listId} role="listbox" aria-label="Keys" className="combobox-list">
          {choices.map((choice, index) => (
            <div
              key={choice.id || 'all'}
              id={`${id}-option-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              className={index === active ? 'combobox-option active' : 'combobox-option'}
              // Chosen before the input's blur closes the list.
              onMouseDown={(event) => {
                event.preventDefault()
                choose(choice)
              }}
            >
              {choice.label}
            </div>
          ))}
          {found.data && found.data.meta.total > shown ? (
            <div className="combobox-more" aria-hidden="true">
              {found.data.meta.total - shown} more: type to narrow down
            </div>
          ) : null}
          {found.data && found.data.data.length === 0 ? (
            <div className="combobox-more" aria-hidden="true">
              No key matches
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

const labelOf = (key: { name: string; prefix: string }) => `${key.name} (${key.prefix})`
