import { z } from 'zod'
import { activityReasons } from '../../../core/activity-reason.ts'
import { defaultScopePresets, leakResponses } from '../../../core/key-policy.ts'
import { plans } from '../../../core/plans.ts'
import { permissions, roles } from '../../../core/roles.ts'
import { webhookEvents } from '../../../core/webhook-events.ts'

/**
 * The dashboard API's JSON, written once (docs/dashboard-api.md). The routes declare these as their response
 * schemas, so an answer that strays from them fails rather than reaching the browser, and web/src/api.ts imports
 * the inferred types. This module imports nothing but Zod and Node-free core catalogues: the dashboard's
 * TypeScript checks it too.
 */

/** Epoch milliseconds. */
const instant = z.number()
const count = z.number().int()
const id = z.string()
const listOf = <T extends z.ZodType>(row: T) => z.object({ data: z.array(row) })
const nextPage = z.object({ nextBefore: z.string().nullable() })

export const keyStatuses = ['active', 'expired', 'revoked', 'disabled', 'exposed'] as const
export const roleSchema = z.enum(roles)

export const userJson = z.object({ id, email: z.string(), name: z.string() })

export const accountSummaryJson = z.object({
  id,
  name: z.string(),
  slug: z.string(),
  plan: z.enum(plans),
  role: roleSchema,
  permissions: z.array(z.enum(permissions)).readonly(),
  rateLimitPerMinute: count,
})

export const meJson = z.object({ user: userJson, accounts: z.array(accountSummaryJson) })
export const signedInJson = z.object({ user: userJson })
export const csrfJson = z.object({ token: z.string() })

export const projectJson = z.object({ id, name: z.string(), createdAt: instant, keyCount: count })

export const memberJson = z.object({
  userId: id,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: instant,
})

export const invitationJson = z.object({
  id,
  email: z.string(),
  role: roleSchema,
  createdAt: instant,
  expiresAt: instant,
  invitedBy: userJson.nullable(),
})
/** The invitation and its token, shown once. */
export const createdInvitationJson = z.object({
  invitation: invitationJson,
  token: z.string(),
  link: z.string(),
})
/** What someone opening an invitation link sees before accepting. */
export const invitationPreviewJson = z.object({
  accountName: z.string(),
  email: z.string(),
  role: roleSchema,
  expiresAt: instant,
})
export const acceptedInvitationJson = z.object({ account: accountSummaryJson })

export const historyEventJson = z.object({
  id,
  at: instant,
  action: z.string(),
  targetType: z.string(),
  targetId: id,
  actor: z.object({
    kind: z.enum(['user', 'operator', 'key', 'system']),
    id: id.nullable(),
    label: z.string(),
  }),
  details: z.record(z.string(), z.unknown()),
})
export const historyPageJson = listOf(historyEventJson).extend({ meta: nextPage })

export const keyRowJson = z.object({
  id,
  name: z.string(),
  prefix: z.string(),
  projectId: id,
  projectName: z.string(),
  status: z.enum(keyStatuses),
  /** null: every scope. */
  scopes: z.array(z.string()).readonly().nullable(),
  expiresAt: instant.nullable(),
  lastUsedAt: instant.nullable(),
  createdAt: instant,
  revokedAt: instant.nullable(),
  /** When and where a leak report found the key (status `exposed`). */
  exposedAt: instant.nullable(),
  exposedUrl: z.string().nullable(),
  /** Per-key controls (issue #16 §3). */
  disabledAt: instant.nullable(),
  /** Canonical CIDRs; empty: any address. */
  allowedIps: z.array(z.string()).readonly(),
  /** null: the plan's limit. */
  rateLimitPerMinute: count.nullable(),
  description: z.string().nullable(),
  tags: z.array(z.string()).readonly(),
  /** When its secret was last rolled. */
  rotatedAt: instant.nullable(),
  /** Until when (exclusive) the secret before the last roll is accepted: a grace period while in the future. */
  previousKeyValidUntil: instant.nullable(),
  /** During a grace period: the last request made with the previous secret (null: none since the roll). */
  previousSecretLastUsedAt: instant.nullable(),
  /** Who created it: a user's name and email, or "Operator (CLI)". */
  creator: z.string(),
})
export const keyRowListJson = listOf(keyRowJson)
/** What each scope opens, for the scope pickers. */
export const scopeGuideJson = listOf(
  z.object({ scope: z.string(), endpoints: z.array(z.string()), tools: z.array(z.string()) }),
)
/** A key the API Keys and Home banners name (GET /accounts/:accountId/key-notices). */
export const noticeKeyJson = z.object({
  id,
  name: z.string(),
  prefix: z.string(),
  projectId: id,
  projectName: z.string(),
  expiresAt: instant.nullable(),
  previousKeyValidUntil: instant.nullable(),
  lastUsedAt: instant.nullable(),
})
export const keyNoticesJson = z.object({
  data: z.object({
    expiringSoon: z.array(noticeKeyJson),
    inGrace: z.array(noticeKeyJson),
    unused: z.array(noticeKeyJson),
  }),
})
export const keyPageJson = listOf(keyRowJson).extend({
  meta: z.object({ page: count, pageSize: count, total: count }),
})
/** The new key's row and the raw key, shown once. */
export const createdKeyJson = z.object({ key: keyRowJson, rawKey: z.string() })
export const keyDetailsJson = z.object({ key: keyRowJson, history: z.array(historyEventJson) })

/** A key's usage over 30 UTC days, for the key drawer's Usage tab. */
export const keyUsageDetailsJson = z.object({
  from: instant,
  to: instant,
  days: z.array(z.object({ day: z.string(), requests: count, errors: count })),
  requests: count,
  errors: count,
  errorRate: z.number(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  topRoutes: z.array(
    z.object({ method: z.string(), route: z.string().nullable(), requests: count, errors: count }),
  ),
  lastUsedAt: instant.nullable(),
  unusedFor30Days: z.boolean(),
})

/** The account's API key policy (Team → Settings → API key policy). */
export const keyPolicyJson = z.object({
  requireExpiry: z.boolean(),
  /** 1–366, or null: no maximum. */
  maxLifetimeDays: z.number().int().nullable(),
  defaultScopes: z.enum(defaultScopePresets),
  leakResponse: z.enum(leakResponses),
  /** Whether API keys may call /api/mcp (the REST API is not affected). */
  mcpKeys: z.boolean(),
  /** Whether OAuth access tokens may call /api/mcp. */
  mcpOAuth: z.boolean(),
})
/** What saving a proposed policy would do: the policy it makes, and the live keys it would stop at once. */
export const keyPolicyPreviewJson = z.object({
  policy: keyPolicyJson,
  affected: z.array(keyRowJson.omit({ creator: true })),
})

export const webhookRowJson = z.object({
  id,
  projectId: id,
  projectName: z.string(),
  url: z.string(),
  events: z.array(z.enum(webhookEvents)),
  active: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
})
/** The webhook's row and its signing secret, shown once. */
export const webhookWithSecretJson = z.object({ webhook: webhookRowJson, secret: z.string() })
export const webhookAttemptJson = z.object({
  id,
  deliveryId: id,
  event: z.string(),
  attempt: count,
  at: instant,
  statusCode: z.number().int().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
})

export const activityRowJson = z.object({
  id,
  at: instant,
  projectId: id.nullable(),
  projectName: z.string().nullable(),
  keyId: id.nullable(),
  keyName: z.string().nullable(),
  keyPrefix: z.string().nullable(),
  method: z.string(),
  /** The route pattern (or MCP tool name); null when no route matched. */
  route: z.string().nullable(),
  path: z.string(),
  status: z.number().int(),
  scope: z.string().nullable(),
  latencyMs: z.number(),
  errorCode: z.string().nullable(),
  rateLimited: z.boolean(),
  reason: z.enum(activityReasons).nullable(),
  requestedProjectId: id.nullable(),
  /** The OAuth grant the request was made with (issue 17): its client and user; null for a key. */
  grant: z.object({ id: z.string(), clientName: z.string(), userEmail: z.string().nullable() }).nullable(),
})
/** A row opened: what the list shows, plus the request's id, the client and, for MCP, the JSON-RPC id. */
export const activityDetailJson = activityRowJson.extend({
  requestId: z.string().nullable(),
  rpcId: z.string().nullable(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
})
export const activityPageJson = listOf(activityRowJson).extend({ meta: nextPage })
export const activityBucketJson = z.object({
  start: instant,
  '2xx': count,
  '4xx': count,
  '429': count,
  '5xx': count,
})
export const activitySeriesJson = listOf(activityBucketJson).extend({ meta: z.object({ bucketMs: count }) })
export const keyUsageJson = z.object({
  keyId: id,
  keyName: z.string(),
  prefix: z.string(),
  projectName: z.string(),
  status: z.enum(keyStatuses),
  requests: count,
  errors: count,
  errorRate: z.number(),
  lastUsedAt: instant.nullable(),
  unusedFor30Days: z.boolean(),
})

export const overviewJson = z.object({
  account: accountSummaryJson,
  projectCount: count,
  keyCount: count,
  activeKeyCount: count,
  recentActivity: z.array(activityRowJson),
})

export const projectListJson = listOf(projectJson)
export const memberListJson = listOf(memberJson)
export const invitationListJson = listOf(invitationJson)
export const webhookListJson = listOf(webhookRowJson)
export const webhookAttemptListJson = listOf(webhookAttemptJson)
export const keyUsageListJson = listOf(keyUsageJson)
export const keyUsageDetailsDataJson = z.object({ data: keyUsageDetailsJson })

/** The inferred types, as web/src/api.ts imports them. */
// ---- Team settings (issue #19, item 7) ----

/** The Settings tab: the team's name and slug, who its primary owner is, and what the caller may do there. */
export const teamSettingsJson = z.object({
  account: z.object({ id, name: z.string(), slug: z.string(), plan: z.enum(plans), createdAt: instant }),
  primaryOwner: userJson.nullable(),
  isPrimaryOwner: z.boolean(),
})
/** What a deletion ended. */
export const deletedTeamJson = z.object({
  deleted: z.literal(true),
  keysRevoked: count,
  membersRemoved: count,
  invitationsRevoked: count,
  webhooksDeleted: count,
})
/** What an invite link shows before sign-in: the team's name and the role, nothing else. */
export const publicInvitationJson = z.object({ accountName: z.string(), role: roleSchema })

export type User = z.infer<typeof userJson>
export type ScopeGuide = z.infer<typeof scopeGuideJson>
export type AccountSummary = z.infer<typeof accountSummaryJson>
export type Me = z.infer<typeof meJson>
export type Project = z.infer<typeof projectJson>
export type Member = z.infer<typeof memberJson>
export type Invitation = z.infer<typeof invitationJson>
export type CreatedInvitation = z.infer<typeof createdInvitationJson>
export type InvitationPreview = z.infer<typeof invitationPreviewJson>
export type HistoryEvent = z.infer<typeof historyEventJson>
export type HistoryPage = z.infer<typeof historyPageJson>
export type KeyStatus = (typeof keyStatuses)[number]
export type KeyRow = z.infer<typeof keyRowJson>
export type KeyPage = z.infer<typeof keyPageJson>
export type KeyNotices = z.infer<typeof keyNoticesJson>['data']
export type CreatedKey = z.infer<typeof createdKeyJson>
export type KeyDetails = z.infer<typeof keyDetailsJson>
export type KeyUsageDetails = z.infer<typeof keyUsageDetailsJson>
export type KeyPolicy = z.infer<typeof keyPolicyJson>
export type KeyPolicyPreview = z.infer<typeof keyPolicyPreviewJson>
export type WebhookRow = z.infer<typeof webhookRowJson>
export type WebhookWithSecret = z.infer<typeof webhookWithSecretJson>
export type WebhookAttemptRow = z.infer<typeof webhookAttemptJson>
export type ActivityRow = z.infer<typeof activityRowJson>
export type ActivityDetail = z.infer<typeof activityDetailJson>
export type ActivityPage = z.infer<typeof activityPageJson>
export type ActivityBucket = z.infer<typeof activityBucketJson>
export type ActivitySeries = z.infer<typeof activitySeriesJson>
export type KeyUsage = z.infer<typeof keyUsageJson>
export type Overview = z.infer<typeof overviewJson>
export type TeamSettings = z.infer<typeof teamSettingsJson>
export type DeletedTeam = z.infer<typeof deletedTeamJson>
export type PublicInvitation = z.infer<typeof publicInvitationJson>

/** The core's vocabularies the dashboard names, re-exported so that it has one door to the server's types. */
export type { ActivityReason } from '../../../core/activity-reason.ts'
export type { ExpirationChoice } from '../../../core/expiration.ts'
export type { GracePreset } from '../../../core/grace.ts'
export type { Plan } from '../../../core/plans.ts'
export type { Permission, Role } from '../../../core/roles.ts'
export type { WebhookEvent } from '../../../core/webhook-events.ts'
