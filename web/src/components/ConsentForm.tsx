import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { api, type OAuthInteraction } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { defaultConsentScopes, formatSeconds, grantedScopes, unavailableScopes } from '../consent.ts'
import { useMe } from '../queries.ts'
import { SelectField } from './Field.tsx'
import { FormError } from './QueryStates.tsx'
import { ScopePicker } from './ScopePicker.tsx'

/** Leaves the SPA for oidc-provider's resume URL, which answers the app with a code or `access_denied`. */
const leaveFor = ({ redirectTo }: { redirectTo: string }) => window.location.assign(redirectTo)

/** The consent itself: who asks, where the browser goes next, for how long, and the team, project and scopes. */
export function ConsentForm({ interaction }: { interaction: OAuthInteraction }) {
  const { uid, client, requestedScopes, accounts } = interaction
  const me = useMe()
  const [chosenAccountId, setAccountId] = useState('')
  const [chosenProjectId, setProjectId] = useState('')
  const [chosenScopes, setScopes] = useState<Set<string> | null>(null)
  const [submitted, setSubmitted] = useState(false)
  const account = accounts.find((a) => a.id === chosenAccountId) ?? accounts[0]
  const allow = useMutation({
    mutationFn: (input: { projectId: string; scopes: string[] }) => api.consentOAuth(uid, input),
    onSuccess: leaveFor,
  })
  const deny = useMutation({ mutationFn: () => api.denyOAuth(uid), onSuccess: leaveFor })
  if (!account) return null

  const project = account.projects.find((p) => p.id === chosenProjectId) ?? account.projects[0]
  const role = roleLabels[account.role] ?? account.role
  const unavailable = unavailableScopes(account.ceiling, requestedScopes, {
    role: `Needs the settings.manage permission: your role in ${account.name} is ${role}.`,
    notRequested: `${client.name} did not ask for this scope.`,
  })
  const scopes = chosenScopes ?? defaultConsentScopes(requestedScopes, account.ceiling)
  const granted = grantedScopes(scopes, unavailable)
  const leaving = allow.isPending || allow.isSuccess || deny.isPending || deny.isSuccess
  const scopeError = submitted && granted.length === 0 ? 'Choose at least one scope' : null

  function chooseAccount(id: string) {
    setAccountId(id)
    setProjectId('')
    setScopes(null) // the new team's role decides what may be granted, and so the defaults
  }

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    setSubmitted(true)
    if (!project || granted.length === 0) return
    deny.reset()
    allow.mutate({ projectId: project.id, scopes: granted })
  }

  const refresh = interaction.refreshTokenLifetimeSeconds
  return (
    <form className="stack consent" onSubmit={submit} noValidate aria-label={`Connect ${client.name}`}>
      <p>
        <strong>{client.name}</strong> asks to use Keyward's MCP tools as you
        {me.data ? ` (${me.data.user.email})` : ''}, on one project, with the scopes you choose.
      </p>
      <dl className="consent-facts">
        <div>
          <dt>You will be sent to</dt>
          <dd>
            <strong className="consent-host">{client.redirectHost}</strong>
            <span className="muted">
              The app named itself; this address is where its answer goes. Continue only if you expect it.
            </span>
          </dd>
        </div>
        <div>
          <dt>Access lasts</dt>
          <dd>
            Each access token lasts {formatSeconds(interaction.accessTokenLifetimeSeconds)}; the app renews it
            {refresh ? ` (a refresh token lasts up to ${formatSeconds(refresh)})` : ''} until you revoke it
            under API Keys → Connected apps.
          </dd>
        </div>
      </dl>
      {accounts.length > 1 ? (
        <SelectField
          label="Team"
          value={account.id}
          onChange={chooseAccount}
          options={accounts.map((a) => ({
            value: a.id,
            label: `${a.name} (${roleLabels[a.role] ?? a.role})`,
          }))}
        />
      ) : (
        <p>
          Team: <strong>{account.name}</strong> <span className="muted">({role})</span>
        </p>
      )}
      {project ? (
        <SelectField
          label="Project"
          value={project.id}
          onChange={setProjectId}
          options={account.projects.map((p) => ({ value: p.id, label: p.name }))}
          hint="The app works on this project only, like a project-scoped key."
        />
      ) : (
        <p className="callout callout-warning" role="alert">
          {account.name} has no project yet: an app connects to one project. Create a project first.
        </p>
      )}
      {requestedScopes.length > 0 ? (
        <p className="muted consent-requested">
          {client.name} asked for: {requestedScopes.join(', ')}. Read scopes are ticked; writing is your
          choice.
        </p>
      ) : null}
      <ScopePicker selected={scopes} onChange={setScopes} error={scopeError} unavailable={unavailable} />
      <FormError error={allow.error ?? deny.error} />
      <div className="consent-actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            allow.reset()
            deny.mutate()
          }}
          disabled={leaving}
          aria-busy={deny.isPending}
        >
          Deny
        </button>
        <button
          type="submit"
          className="button primary"
          disabled={leaving || !project}
          aria-busy={allow.isPending}
        >
          Allow
        </button>
      </div>
    </form>
  )
}
