import { Checkbox } from 'radix-ui'
import { useId } from 'react'
import { CheckIcon, MinusIcon } from './icons.tsx'

interface CheckboxFieldProps {
  label: string
  checked: boolean | 'indeterminate'
  onCheckedChange: (checked: boolean) => void
  disabled?: boolean
  className?: string
}

/** A Radix checkbox (role="checkbox", aria-checked "mixed" when indeterminate) named by its label. */
export function CheckboxField({ label, checked, onCheckedChange, disabled, className }: CheckboxFieldProps) {
  const id = useId()
  return (
    <div className={className ? `checkbox-field ${className}` : 'checkbox-field'}>
      <Checkbox.Root
        id={id}
        className="checkbox"
        checked={checked}
        disabled={disabled}
        onCheckedChange={(next) => onCheckedChange(next === true)}
      >
        <Checkbox.Indicator className="checkbox-indicator">
          {checked === 'indeterminate' ? <MinusIcon /> : <CheckIcon />}
        </Checkbox.Indicator>
      </Checkbox.Root>
      <label htmlFor={id}>{label}</label>
    </div>
  )
}
