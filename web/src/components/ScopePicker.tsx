import type { ScopeGuide } from '../api.ts'
import { allScopes, presetOf, type ScopePreset, scopeGroups, scopesOfPreset } from '../catalogue.ts'
import { useScopeGuide } from '../queries.ts'
import { CheckboxField } from './CheckboxField.tsx'

interface ScopePickerProps {
  selected: ReadonlySet<string>
  onChange: (selected: Set<string>) => void
  error?: string | null
  /**
   * Scopes the chooser may not grant here, each with the reason shown beside it (an OAuth consent: above the role's
   * ceiling, or not asked for by the app). With it the presets give way to Select all: a grant lists its scopes.
   */
  unavailable?: ReadonlyMap<string, string>
}

const presets: readonly { value: ScopePreset; label: string; hint: string }[] = [
  { value: 'full', label: 'Full access', hint: 'Every scope, including writes and those added later' },
  { value: 'read-only', label: 'Read-only', hint: 'Every .read scope: nothing can be changed' },
  { value: 'custom', label: 'Custom', hint: 'Choose scopes one by one below' },
]

/** What a scope opens, from the server's capability table: its endpoints, then its MCP tools. */
function ScopeDescription({
  entry,
  refusal,
}: {
  entry: ScopeGuide['data'][number] | undefined
  refusal?: string | undefined
}) {
  if (!entry && !refusal) return null
  return (
    <>
      {refusal ? <span className="scope-refusal">{refusal}</span> : null}
      {entry ? <ScopeOpens entry={entry} /> : null}
    </>
  )
}

function ScopeOpens({ entry }: { entry: ScopeGuide['data'][number] }) {
  return (
    <>
      <span className="scope-endpoints">{entry.endpoints.join(' · ')}</span>
      <span className="scope-tools">MCP: {entry.tools.join(', ')}</span>
    </>
  )
}

/**
 * The scopes: a preset (Full access, Read-only, Custom), then the 11 checkboxes grouped by area, each described by
 * the endpoints and tools it opens. Ticking a box makes the choice Custom unless it equals a preset. With
 * `unavailable` (the OAuth consent) there are no presets, and those scopes are disabled with their reason.
 */
export function ScopePicker({ selected, onChange, error, unavailable }: ScopePickerProps) {
  const guide = useScopeGuide()
  const described = new Map((guide.data?.data ?? []).map((entry) => [entry.scope, entry]))
  const offered = unavailable ? allScopes.filter((scope) => !unavailable.has(scope)) : allScopes
  const chosen = offered.filter((scope) => selected.has(scope)).length
  const all = chosen === offered.length && chosen > 0 ? true : chosen === 0 ? false : 'indeterminate'
  const preset = presetOf(selected)
  const summary = unavailable
    ? `${chosen} of ${offered.length} selected`
    : chosen === allScopes.length
      ? 'Full access'
      : `${chosen} of ${allScopes.length} selected`

  function toggle(scope: string, on: boolean) {
    const next = new Set(selected)
    if (on) next.add(scope)
    else next.delete(scope)
    onChange(next)
  }

  return (
    <fieldset className="scope-picker">
      <legend>Scopes</legend>
      {unavailable ? null : (
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
      )}
      <div className="scope-picker-head">
        <CheckboxField
          label="Select all"
          checked={all}
          onCheckedChange={(on) => onChange(on ? new Set(offered) : new Set())}
        />
        <span className="muted">{summary}</span>
      </div>
      <div className="scope-groups">
        {scopeGroups.map((group) => (
          <fieldset key={group.area} className="scope-group">
            <legend>{group.area}</legend>
            {group.scopes.map((scope) => {
              const refusal = unavailable?.get(scope)
              const refused = refusal !== undefined
              return (
                <CheckboxField
                  key={scope}
                  label={scope}
                  checked={!refused && selected.has(scope)}
                  disabled={refused}
                  className={refused ? 'scope-refused' : undefined}
                  onCheckedChange={(on) => toggle(scope, on)}
                  description={<ScopeDescription entry={described.get(scope)} refusal={refusal} />}
                />
              )
            })}
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
