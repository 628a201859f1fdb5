import { Checkbox } from 'radix-ui'
import { useId } from 'react'
import { CheckIcon, MinusIcon } from './icons.tsx'

interface CheckboxFieldProps {
  label: string
  checked: boolean | 'indeterminate'
  onCheckedChange: (checked: boolean) => void
  disabled?: boolean
  className?: string
  /** A line under the label, read out with it. */
  description?: React.ReactNode
}

/** A Radix checkbox (role="checkbox", aria-checked "mixed" when indeterminate) named by its label. */
export function CheckboxField({
  label,
  checked,
  onCheckedChange,
  disabled,
  className,
  description,
}: CheckboxFieldProps) {
  const id = useId()
  const descriptionId = `${id}-description`
  return (
    <div className={className ? `checkbox-field ${className}` : 'checkbox-field'}>
      <Checkbox.Root
        id={id}
        className="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={description ? descriptionId : undefined}
        onCheckedChange={(next) => onCheckedChange(next === true)}
      >
        <Checkbox.Indicator className="checkbox-indicator">
          {checked === 'indeterminate' ? <MinusIcon /> : <CheckIcon />}
        </Checkbox.Indicator>
      </Checkbox.Root>
      <label htmlFor={id}>{label}</label>
      {description ? (
        <div id={descriptionId} className="checkbox-description">
          {description}
        </div>
      ) : null}
    </div>
  )
}
