import { expirationChoices } from '../catalogue.ts'
import { SelectField, TextField } from './Field.tsx'

const customDate = 'custom-date'
const customDuration = 'custom-duration'

/** What the picker holds: a preset, or a custom date or duration being typed. */
export interface ExpiryChoice {
  mode: string
  custom: string
}
export const defaultExpiry: ExpiryChoice = { mode: 'never', custom: '' }
type Preset = (typeof expirationChoices)[number]

/** The value the server takes (`never`, a preset, `2h`, `2027-03-01`); it checks the bounds and says why. */
export const expiresValue = (choice: ExpiryChoice) =>
  choice.mode.startsWith('custom') ? choice.custom.trim() : choice.mode

/** The presets, or a date, or a duration from 1 hour to 366 days. */
export function ExpiryPicker({
  value,
  onChange,
  label = 'Expiration',
  presets = expirationChoices,
  hint,
}: {
  value: ExpiryChoice
  onChange: (next: ExpiryChoice) => void
  label?: string
  /** The presets on offer (the account key policy may drop some); the server checks custom values against it. */
  presets?: readonly Preset[]
  hint?: string
}) {
  return (
    <div className="stack">
      <SelectField
        label={label}
        value={value.mode}
        onChange={(mode) => onChange({ mode, custom: mode === value.mode ? value.custom : '' })}
        hint={hint}
        options={[
          ...presets,
          { value: customDate, label: 'Custom date…' },
          { value: customDuration, label: 'Custom duration…' },
        ]}
      />
      {value.mode === customDate ? (
        <TextField
          label="Expires on"
          type="date"
          value={value.custom}
          onChange={(custom) => onChange({ ...value, custom })}
          hint="At 00:00 UTC that day; within 366 days."
        />
      ) : value.mode === customDuration ? (
        <TextField
          label="Expires after"
          value={value.custom}
          onChange={(custom) => onChange({ ...value, custom })}
          placeholder="e.g. 2h or 45d"
          hint="From 1h to 366d: a number then h (hours) or d (days)."
          autoComplete="off"
        />
      ) : null}
    </div>
  )
}
