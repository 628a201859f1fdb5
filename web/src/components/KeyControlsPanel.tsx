import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount } from '../account.ts'
import { api, type KeyRow } from '../api.ts'
import { useInvalidateAccount } from '../queries.ts'
import { TextField } from './Field.tsx'
import { FormError } from './QueryStates.tsx'
import { ToggleSwitch } from './ToggleSwitch.tsx'

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)

/**
 * A key's fences beyond its scopes (issue #16 §3): the Enabled switch (a paused key gets 401 until enabled again),
 * the IP allowlist, the per-minute limit, description and tags. The server validates every field and answers 400
 * with the reason, shown here; nothing changes then.
 */
export function KeyControlsPanel({ apiKey, canManage }: { apiKey: KeyRow; canManage: boolean }) {
  const { account } = useAccount()
  const invalidateAccount = useInvalidateAccount(account.id)
  const [allowedIps, setAllowedIps] = useState(apiKey.allowedIps.join(', '))
  const [rateLimit, setRateLimit] = useState(apiKey.rateLimitPerMinute?.toString() ?? '')
  const [description, setDescription] = useState(apiKey.description ?? '')
  const [tags, setTags] = useState(apiKey.tags.join(', '))
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api.setKeyDisabled(apiKey.id, !enabled),
    onSuccess: () => void invalidateAccount(),
  })
  const save = useMutation({
    mutationFn: () =>
      api.updateKeyControls(apiKey.id, {
        allowedIps: splitList(allowedIps),
        rateLimitPerMinute: rateLimit.trim() === '' ? null : Number(rateLimit),
        description: description.trim() === '' ? null : description,
        tags: splitList(tags),
      }),
    onSuccess: () => void invalidateAccount(),
  })
  const editable = canManage && apiKey.status !== 'revoked'

  if (!editable) {
    return (
      <dl className="details-list">
        <dt>Allowed IPs</dt>
        <dd>{apiKey.allowedIps.length ? apiKey.allowedIps.join(', ') : 'Any address'}</dd>
        <dt>Rate limit</dt>
        <dd>
          {apiKey.rateLimitPerMinute === null ? "The plan's" : `${apiKey.rateLimitPerMinute} per minute`}
        </dd>
        <dt>Description</dt>
        <dd>{apiKey.description ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>{apiKey.tags.length ? apiKey.tags.join(', ') : '—'}</dd>
      </dl>
    )
  }

  return (
    <div className="key-controls">
      <ToggleSwitch
        label="Enabled"
        checked={apiKey.disabledAt === null}
        onCheckedChange={(enabled) => toggle.mutate(enabled)}
      />
      <FormError error={toggle.error} />
      <form
        onSubmit={(event) => {
          event.preventDefault()
          save.mutate()
        }}
      >
        <TextField
          label="Allowed IPs"
          value={allowedIps}
          onChange={setAllowedIps}
          hint="Up to 20 IPv4 or IPv6 CIDRs, comma-separated. Empty: any address."
          placeholder="10.0.0.0/8, 2001:db8::/32"
        />
        <TextField
          label="Rate limit per minute"
          value={rateLimit}
          onChange={setRateLimit}
          inputMode="numeric"
          hint={`At most the plan's ${account.rateLimitPerMinute}. Empty: the plan's.`}
        />
        <TextField label="Description" value={description} onChange={setDescription} maxLength={500} />
        <TextField label="Tags" value={tags} onChange={setTags} hint="Comma-separated, e.g. ci, team:data" />
        <FormError error={save.error} />
        <div className="dialog-actions">
          <button
            type="submit"
            className="button primary"
            disabled={save.isPending}
            aria-busy={save.isPending}
          >
            Save controls
          </button>
        </div>
      </form>
    </div>
  )
}
