import type { KeyStatus } from '../api.ts'

export type BadgeTone = 'success' | 'neutral' | 'warning' | 'danger' | 'info'

export function Badge({ tone, children }: { tone: BadgeTone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>
}

const keyStatus: Record<KeyStatus, { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'success' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Revoked', tone: 'danger' },
  exposed: { label: 'Exposed', tone: 'danger' },
  disabled: { label: 'Disabled', tone: 'neutral' },
}

export function KeyStatusBadge({ status }: { status: KeyStatus }) {
  const { label, tone } = keyStatus[status]
  return <Badge tone={tone}>{label}</Badge>
}
