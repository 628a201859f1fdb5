import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import { api } from '../api.ts'
import { InvitationsTable } from '../components/InvitationsTable.tsx'
import { InviteMemberDialog } from '../components/InviteMemberDialog.tsx'
import { KeyPolicySection } from '../components/KeyPolicySection.tsx'
import { McpAccessSection } from '../components/McpAccessSection.tsx'
import { MembersTable } from '../components/MembersTable.tsx'
import { PageHeader } from '../components/PageHeader.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { TeamOwnershipSection } from '../components/TeamOwnershipSection.tsx'
import { TeamSettingsSection } from '../components/TeamSettingsSection.tsx'
import { TitledSection } from '../components/TitledSection.tsx'
import { queryKeys } from '../queryKeys.ts'

export function TeamPage() {
  const { account } = useAccount()
  const canInvite = useCan('invites.manage')
  const [inviting, setInviting] = useState(false)
  const members = useQuery({
    queryKey: queryKeys.members(account.id),
    queryFn: () => api.members(account.id),
  })
  const invitations = useQuery({
    queryKey: queryKeys.invitations(account.id),
    queryFn: () => api.invitations(account.id),
  })

  return (
    <>
      <PageHeader
        title="Team"
        description="Owners manage everything, Members manage keys and invite, Viewers only read."
        actions={
          canInvite ? (
            <button type="button" className="button primary" onClick={() => setInviting(true)}>
              Invite member
            </button>
          ) : null
        }
      />
      <TeamSettingsSection />
      <TitledSection title="Members">
        {members.isPending ? (
          <Loading />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : members.data.data.length === 0 ? (
          <EmptyState title="No members" />
        ) : (
          <MembersTable members={members.data.data} />
        )}
      </TitledSection>
      <TitledSection title="Pending invitations">
        {invitations.isPending ? (
          <Loading />
        ) : invitations.isError ? (
          <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />
        ) : invitations.data.data.length === 0 ? (
          <EmptyState title="No pending invitations">
            {canInvite ? 'Invite a teammate with Invite member.' : null}
          </EmptyState>
        ) : (
          <InvitationsTable invitations={invitations.data.data} />
        )}
      </TitledSection>
      <KeyPolicySection />
      <McpAccessSection />
      <TeamOwnershipSection />
      {inviting ? <InviteMemberDialog onClose={() => setInviting(false)} /> : null}
    </>
  )
}
