import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useAccount } from '../account.ts'
import { api } from '../api.ts'
import { queryKeys } from '../queryKeys.ts'
import { TextField } from './Field.tsx'
import { ErrorState, FormError, Loading } from './QueryStates.tsx'
import { TitledSection } from './TitledSection.tsx'

/**
 * Team → Settings: the team's name and slug. Owners edit them; everyone else reads them. Other settings (the API
 * key policy, …) are sections of their own beside this one.
 */
export function TeamSettingsSection() {
  const { account } = useAccount()
  const queryClient = useQueryClient()
  const isOwner = account.role === 'owner'
  const settings = useQuery({
    queryKey: queryKeys.teamSettings(account.id),
    queryFn: () => api.teamSettings(account.id),
  })
  const [name, setName] = useState('')
  const [slug, setSlug] = useState('')
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (settings.data) {
      setName(settings.data.account.name)
      setSlug(settings.data.account.slug)
    }
  }, [settings.data])
  const save = useMutation({
    mutationFn: () => api.updateTeamSettings(account.id, { name, slug }),
    onSuccess: async () => {
      setSaved(true)
      // The name shows in the sidebar and the account switcher too.
      await queryClient.invalidateQueries({ queryKey: queryKeys.me })
      await queryClient.invalidateQueries({ queryKey: queryKeys.account(account.id) })
    },
  })

  return (
    <TitledSection title="Team settings">
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <form
          className="stack team-settings"
          onSubmit={(event) => {
            event.preventDefault()
            setSaved(false)
            save.mutate()
          }}
        >
          <TextField
            label="Team name"
            value={name}
            onChange={setName}
            readOnly={!isOwner}
            maxLength={100}
            aria-required="true"
          />
          <TextField
            label="Slug"
            value={slug}
            onChange={setSlug}
            readOnly={!isOwner}
            maxLength={48}
            hint="Lowercase letters, digits and hyphens; unique across this Keyward."
          />
          <p className="muted">
            Primary owner:{' '}
            {settings.data.primaryOwner
              ? `${settings.data.primaryOwner.name} (${settings.data.primaryOwner.email})`
              : 'none'}
            . Only the primary owner can transfer ownership or delete the team.
          </p>
          <FormError error={save.error} />
          {isOwner ? (
            <div>
              <button
                type="submit"
                className="button primary"
                disabled={save.isPending}
                aria-busy={save.isPending}
              >
                Save settings
              </button>
              {saved && !save.isPending ? (
                <span role="status" className="muted">
                  {' '}
                  Saved.
                </span>
              ) : null}
            </div>
          ) : (
            <p className="muted">Only Owners can change the team settings.</p>
          )}
        </form>
      )}
    </TitledSection>
  )
}
