import { allScopes, scopeGroups } from '../catalogue.ts'
import { CheckboxField } from './CheckboxField.tsx'

interface ScopePickerProps {
  selected: ReadonlySet<string>
  onChange: (selected: Set<string>) => void
  error?: string | null
}

/** The 11 scope checkboxes grouped by area, with a select-all that shows "mixed" for a partial choice. */
export function ScopePicker({ selected, onChange, error }: ScopePickerProps) {
  const chosen = allScopes.filter((scope) => selected.has(scope)).length
  const all = chosen === allScopes.length ? true : chosen === 0 ? false : 'indeterminate'

  function toggle(scope: string, on: boolean) {
    const next = new Set(selected)
    if (on) next.add(scope)
    else next.delete(scope)
    onChange(next)
  }

  return (
    <fieldset className="scope-picker">
      <legend>Scopes</legend>
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
