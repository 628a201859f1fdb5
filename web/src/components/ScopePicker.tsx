import type { ScopeGuide } from '../api.ts'
import { allScopes, presetOf, type ScopePreset, scopeGroups, scopesOfPreset } from '../catalogue.ts'
import { useScopeGuide } from '../queries.ts'
import { CheckboxField } from './CheckboxField.tsx'

interface ScopePickerProps {
  selected: ReadonlySet<string>
  onChange: (selected: Set<string>) => void
  error?: string | null
}

const presets: readonly { value: ScopePreset; label: string; hint: string }[] = [
  { value: 'full', label: 'Full access', hint: 'Every scope, including writes and those added later' },
  { value: 'read-only', label: 'Read-only', hint: 'Every .read scope: nothing can be changed' },
  { value: 'custom', label: 'Custom', hint: 'Choose scopes one by one below' },
]

/** What a scope opens, from the server's capability table: its endpoints, then its MCP tools. */
function ScopeDescription({ entry }: { entry: ScopeGuide['data'][number] | undefined }) {
  if (!entry) return null
  return (
    <>
      <span className="scope-endpoints">{entry.endpoints.join(' · ')}</span>
      <span className="scope-tools">MCP: {entry.tools.join(', ')}</span>
    </>
  )
}

/**
 * The scopes: a preset (Full access, Read-only, Custom), then the 11 checkboxes grouped by area, each described by
 * the endpoints and tools it opens. Ticking a box makes the choice Custom unless it equals a preset.
 */
export function ScopePicker({ selected, onChange, error }: ScopePickerProps) {
  const guide = useScopeGuide()
  const described = new Map((guide.data?.data ?? []).map((entry) => [entry.scope, entry]))
  const chosen = allScopes.filter((scope) => selected.has(scope)).length
  const all = chosen === allScopes.length ? true : chosen === 0 ? false : 'indeterminate'
  const preset = presetOf(selected)

  function toggle(scope: string, on: boolean) {
    const next = new Set(selected)
    if (on) next.add(scope)
    else next.delete(scope)
    onChange(next)
  }

  return (
    <fieldset className="scope-picker">
      <legend>Scopes</legend>
      <div className="scope-presets" role="radiogroup" aria-label="Access">
        {presets.map((option) => (
          <label key={option.value} className="scope-preset">
            <input
              type="radio"
              name="scope-preset"
              value={option.value}
              checked={preset === option.value}
              onChange={() => {
                if (option.value !== 'custom') onChange(scopesOfPreset(option.value))
              }}
            />
            <span>
              <span className="scope-preset-label">{option.label}</span>
              <span className="scope-preset-hint">{option.hint}</span>
            </span>
          </label>
        ))}
      </div>
      <div className="scope-picker-head">
        <CheckboxField
          label="Select all"
          checked={all}
          onCheckedChange={(on) => onChange(on ? new Set(allScopes) : new Set())}
        />
        <span className="muted">
          {chosen === allScopes.length ? 'Full access' : `${chosen} of ${allScopes.length} selected`}
        </span>
      </div>
      <div className="scope-groups">
        {scopeGroups.map((group) => (
          <fieldset key={group.area} className="scope-group">
            <legend>{group.area}</legend>
            {group.scopes.map((scope) => (
              <CheckboxField
                key={scope}
                label={scope}
                checked={selected.has(scope)}
                onCheckedChange={(on) => toggle(scope, on)}
                description={<ScopeDescription entry={described.get(scope)} />}
              />
            ))}
          </fieldset>
        ))}
      </div>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  )
}
