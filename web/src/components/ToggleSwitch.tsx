import { Switch } from 'radix-ui'
import { useId } from 'react'

interface ToggleSwitchProps {
  label: string
  checked: boolean
  onCheckedChange: (checked: boolean) => void
}

/** A Radix switch (role="switch") named by its label. */
export function ToggleSwitch({ label, checked, onCheckedChange }: ToggleSwitchProps) {
  const id = useId()
  return (
    <div className="switch-field">
      <Switch.Root id={id} className="switch" checked={checked} onCheckedChange={onCheckedChange}>
        <Switch.Thumb className="switch-thumb" />
      </Switch.Root>
      <label htmlFor={id}>{label}</label>
    </div>
  )
}
