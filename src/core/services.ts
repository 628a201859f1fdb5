import { getKeyPolicy, leakResponseFor, previewKeyPolicy, updateKeyPolicy } from './account-key-policy.ts'
import { type AccountDeps, addMember, createAccount } from './accounts.ts'
import { getAction, listActions, updateActionStatus } from './analytics/actions.ts'
import { generateActionBrief, getActionBrief, resumeStalledBriefs } from './analytics/briefs.ts'
import { getCitationStats, getTopDomains, getTopPages } from './analytics/citations.ts'
import { getCompetitivePosition } from './analytics/competitive.ts'
import { importTrackingResults } from './analytics/import.ts'
import type { AnalyticsDeps } from './analytics/inputs.ts'
import { getWhatWorks } from './analytics/intelligence.ts'
import { getAdoptionMetrics, getTrafficSummary } from './analytics/series.ts'
import { getPromptTest, listPromptTests } from './analytics/tests.ts'
import { getVisibilityDiff, getVisibilityHeatmap, getVisibilitySummary } from './analytics/visibility.ts'
import { bindUseCases } from './bind.ts'
import type { Clock } from './clock.ts'
import {
  acceptInvitation,
  createInvitation,
  describeInvitation,
  listInvitations,
  previewInvitation,
  regenerateInvitationLink,
  revokeInvitation,
} from './invitations.ts'
import { revokeKeys, setKeyDisabled, updateKeyControls } from './key-controls.ts'
import type { KeyFormat } from './key-format.ts'
import { describeOwnKey } from './key-introspection.ts'
import { keyNotices } from './key-notices.ts'
import { rotateKey, updateKeyExpiry } from './key-rotation.ts'
import { createKey, listKeys, revokeKey, updateKeyScopes } from './keys.ts'
import type { KeyAuthRecord } from './model.ts'
import {
  type GrantDeps,
  listGrants,
  type OAuthTokenRevoker,
  recordGrant,
  revokeGrant,
  revokeGrantFromProvider,
} from './oauth-grants.ts'
import type { Storage, UserDirectory } from './ports.ts'
import { createProject, renameProject } from './projects.ts'
import type { RateLimiter } from './rate-limit.ts'
import { changeMemberRole, listMembers, removeMember } from './team.ts'
import { deleteTeam, getTeamSettings, transferOwnership, updateTeamSettings } from './team-settings.ts'
import type { KeyVerifier } from './verify.ts'
import type { WebhookListCache } from './webhook-list-cache.ts'
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  rotateWebhookSecret,
  type WebhookDeps,
} from './webhooks.ts'

/** Webhook management, for REST, MCP and the dashboard. */
export const webhookServices = (deps: WebhookDeps) =>
  bindUseCases(deps, {
    list: listWebhooks,
    create: createWebhook,
    delete: deleteWebhook,
    rotateSecret: rotateWebhookSecret,
  })

/** Project analytics: the public API's reads and actions, `keyward import`, and the brief job `serve` resumes. */
export const analyticsServices = (deps: AnalyticsDeps) =>
  bindUseCases(deps, {
    visibilitySummary: getVisibilitySummary,
    visibilityDiff: getVisibilityDiff,
    visibilityHeatmap: getVisibilityHeatmap,
    citationStats: getCitationStats,
    topPages: getTopPages,
    topDomains: getTopDomains,
    competitivePosition: getCompetitivePosition,
    adoptionMetrics: getAdoptionMetrics,
    trafficSummary: getTrafficSummary,
    whatWorks: getWhatWorks,
    promptTests: listPromptTests,
    promptTest: getPromptTest,
    actions: listActions,
    action: getAction,
    updateActionStatus,
    actionBrief: getActionBrief,
    generateActionBrief,
    importTrackingResults,
    resumeStalledBriefs,
  })

/** Binds every use-case to its dependencies once, so transports only pass the actor and the input. */
export function createServices(deps: {
  storage: Storage
  users: UserDirectory
  clock: Clock
  keyFormat: KeyFormat
  verifier: KeyVerifier
  /** `KEYWARD_ALLOW_HTTP_WEBHOOKS=1`: webhooks may use plain http and private hosts (development, tests). */
  allowInsecureWebhookUrls: boolean
  /** Each project's active webhooks, cached per node and invalidated on change (the keyed list's hot path). */
  webhookLists?: WebhookListCache
  /** For introspection (`GET /key`, `devtune_whoami`): the calling key's remaining budget. */
  rateLimiter: Pick<RateLimiter, 'peek'>
  /** This node's OAuth grant cache (issue 17): a grant changed here is dropped from it at once. */
  grantCache?: { evictKey(grantId: string): void }
}) {
  const accountDeps: AccountDeps = deps
  const keyDeps = { ...deps, onKeyChanged: (keyId: string) => deps.verifier.evictKey(keyId) }
  const onGrantChanged = (grantId: string) => deps.grantCache?.evictKey(grantId)
  // The authorization server attaches its token revoker once it is built (it is built after the services).
  const grantDeps: GrantDeps = { storage: deps.storage, clock: deps.clock, onGrantChanged }
  return {
    accounts: bindUseCases(accountDeps, { create: createAccount, addMember }),
    projects: bindUseCases(deps, { create: createProject, rename: renameProject }),
    team: bindUseCases(
      { ...deps, onGrantChanged },
      {
        listMembers,
        changeRole: changeMemberRole,
        removeMember,
        createInvitation,
        listInvitations,
        revokeInvitation,
        describeInvitation,
        acceptInvitation,
        regenerateInvitationLink,
      },
    ),
    /** Anyone holding an invite link, signed in or not: no actor. */
    previewInvitation: (input: { token: string }) => previewInvitation(deps, input),
    teamSettings: bindUseCases(
      { ...keyDeps, onGrantChanged, ...(deps.webhookLists ? { webhookLists: deps.webhookLists } : {}) },
      { get: getTeamSettings, update: updateTeamSettings, transfer: transferOwnership, delete: deleteTeam },
    ),
    keys: bindUseCases(keyDeps, {
      create: createKey,
      list: listKeys,
      updateScopes: updateKeyScopes,
      revoke: revokeKey,
      updateControls: updateKeyControls,
      setDisabled: setKeyDisabled,
      revokeMany: revokeKeys,
      notices: keyNotices,
      rotate: rotateKey,
      updateExpiry: updateKeyExpiry,
    }),
    /** The account's API key policy (Owners change it); `leakResponse` is for the secret-scanning handler. */
    keyPolicy: {
      ...bindUseCases(
        { ...keyDeps, onGrantChanged },
        { get: getKeyPolicy, preview: previewKeyPolicy, update: updateKeyPolicy },
      ),
      leakResponse: (accountId: string) => leakResponseFor(deps.storage, accountId),
    },
    /** OAuth grants, listed and revoked like keys (issue 17). */
    grants: {
      ...bindUseCases(grantDeps, { record: recordGrant, list: listGrants, revoke: revokeGrant }),
      /** The authorization server's `onGrantRevoked(grantId)`: a system revocation, on every node. */
      revokedByProvider: (grantId: string) => revokeGrantFromProvider(grantDeps, grantId),
      attachTokenRevoker(revoker: OAuthTokenRevoker) {
        grantDeps.tokenRevoker = revoker
      },
    },
    webhooks: webhookServices({ ...deps, allowInsecureUrls: deps.allowInsecureWebhookUrls }),
    analytics: analyticsServices(deps),
    /** The calling key as it sees itself; not an actor's use-case, so bound by hand. */
    ownKey: (key: KeyAuthRecord) => describeOwnKey(deps, key),
  }
}

export type Services = ReturnType<typeof createServices>
