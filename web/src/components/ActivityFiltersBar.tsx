import { endpointChoices, reasonChoices, reasonLabels, statusChoices } from '../activityCatalogue.ts'
import type { ActivityView } from '../activityFilters.ts'
import { timeRanges } from '../catalogue.ts'
import { formatDateTime } from '../format.ts'
import { useProjects } from '../queries.ts'
import { SelectField } from './Field.tsx'
import { KeyPicker } from './KeyPicker.tsx'

interface ActivityFiltersBarProps {
  accountId: string
  view: ActivityView
  onChange: (changes: Partial<Record<keyof ActivityView, string | null>>) => void
}

const custom = 'custom'

/** The Activity page's filters: endpoint or tool, status, reason, key, project and period; the URL holds them. */
export function ActivityFiltersBar({ accountId, view, onChange }: ActivityFiltersBarProps) {
  const projects = useProjects(accountId)
  const fixed = view.from !== null && view.to !== null
  const ranges = fixed
    ? [
        ...timeRanges,
        { value: custom, label: `${formatDateTime(view.from ?? 0)} – ${formatDateTime(view.to ?? 0)}` },
      ]
    : timeRanges
  // A value the URL names but the lists do not (an old link, a hand-edited one) still shows as chosen.
  const withCurrent = (options: readonly { value: string; label: string }[], value: string) =>
    value === '' || options.some((option) => option.value === value)
      ? options
      : [...options, { value, label: value }]

  return (
    <div className="toolbar filters">
      <SelectField
        className="toolbar-field"
        label="Endpoint or tool"
        value={view.route}
        onChange={(route) => onChange({ route })}
        options={withCurrent(endpointChoices, view.route)}
      />
      <SelectField
        className="toolbar-field"
        label="Status"
        value={view.status}
        onChange={(status) => onChange({ status })}
        options={withCurrent(statusChoices, view.status)}
      />
      <SelectField
        className="toolbar-field"
        label="Reason"
        value={view.reason}
        onChange={(reason) => onChange({ reason })}
        options={withCurrent(
          [
            { value: '', label: 'Any' },
            ...reasonChoices.map((reason) => ({ value: reason, label: reasonLabels[reason].label })),
          ],
          view.reason,
        )}
      />
      <KeyPicker
        className="toolbar-field"
        accountId={accountId}
        value={view.key}
        onChange={(key) => onChange({ key })}
      />
      <SelectField
        className="toolbar-field"
        label="Project"
        value={view.project}
        onChange={(project) => onChange({ project })}
        options={withCurrent(
          [
            { value: '', label: 'All projects' },
            ...(projects.data?.data ?? []).map((project) => ({ value: project.id, label: project.name })),
          ],
          view.project,
        )}
      />
      <SelectField
        className="toolbar-field"
        label="Time range"
        value={fixed ? custom : view.range}
        onChange={(range) => {
          if (range !== custom) onChange({ range, from: null, to: null })
        }}
        options={ranges}
      />
    </div>
  )
}
