import { type AccountDeps, addMember, createAccount } from './accounts.ts'
import type { Clock } from './clock.ts'
import {
  acceptInvitation,
  createInvitation,
  describeInvitation,
  listInvitations,
  revokeInvitation,
} from './invitations.ts'
import type { KeyFormat } from './key-format.ts'
import { createKey, listKeys, revokeKey, updateKeyScopes } from './keys.ts'
import type { Actor } from './model.ts'
import type { Storage, UserDirectory } from './ports.ts'
import { createProject, renameProject } from './projects.ts'
import { changeMemberRole, listMembers, removeMember } from './team.ts'
import type { KeyVerifier } from './verify.ts'

type Bound<F> = F extends (deps: never, actor: Actor, input: infer I) => infer R
  ? (actor: Actor, input: I) => R
  : never

export interface Services {
  accounts: { create: Bound<typeof createAccount>; addMember: Bound<typeof addMember> }
  projects: { create: Bound<typeof createProject>; rename: Bound<typeof renameProject> }
  team: {
    listMembers: Bound<typeof listMembers>
    changeRole: Bound<typeof changeMemberRole>
    removeMember: Bound<typeof removeMember>
    createInvitation: Bound<typeof createInvitation>
    listInvitations: Bound<typeof listInvitations>
    revokeInvitation: Bound<typeof revokeInvitation>
    describeInvitation: Bound<typeof describeInvitation>
    acceptInvitation: Bound<typeof acceptInvitation>
  }
  keys: {
    create: Bound<typeof createKey>
    list: Bound<typeof listKeys>
    updateScopes: Bound<typeof updateKeyScopes>
    revoke: Bound<typeof revokeKey>
  }
}

/** Binds every use-case to its dependencies once, so transports only pass the actor and the input. */
export function createServices(deps: {
  storage: Storage
  users: UserDirectory
  clock: Clock
  keyFormat: KeyFormat
  verifier: KeyVerifier
}): Services {
  const accountDeps: AccountDeps = deps
  const keyDeps = { ...deps, onKeyChanged: (keyId: string) => deps.verifier.evictKey(keyId) }
  return {
    accounts: {
      create: (actor, input) => createAccount(accountDeps, actor, input),
      addMember: (actor, input) => addMember(accountDeps, actor, input),
    },
    projects: {
      create: (actor, input) => createProject(deps, actor, input),
      rename: (actor, input) => renameProject(deps, actor, input),
    },
    team: {
      listMembers: (actor, input) => listMembers(deps, actor, input),
      changeRole: (actor, input) => changeMemberRole(deps, actor, input),
      removeMember: (actor, input) => removeMember(deps, actor, input),
      createInvitation: (actor, input) => createInvitation(deps, actor, input),
      listInvitations: (actor, input) => listInvitations(deps, actor, input),
      revokeInvitation: (actor, input) => revokeInvitation(deps, actor, input),
      describeInvitation: (actor, input) => describeInvitation(deps, actor, input),
      acceptInvitation: (actor, input) => acceptInvitation(deps, actor, input),
    },
    keys: {
      create: (actor, input) => createKey(keyDeps, actor, input),
      list: (actor, input) => listKeys(keyDeps, actor, input),
      updateScopes: (actor, input) => updateKeyScopes(keyDeps, actor, input),
      revoke: (actor, input) => revokeKey(keyDeps, actor, input),
    },
  }
}
