import type { ActivityReason } from './api.ts'

/**
 * What the Agent Activity page names and filters by. Reasons are keyed by the core's type (one without a label fails
 * to compile); the routes and tools are a copy that test/web-endpoint-choices.test.ts keeps true until the table
 * of capabilities has a home the browser can import (issue 20 §3).
 */

/** Status choices of the Activity filter: a class (`2xx`…) or one code; the URL holds the value as is. */
export const statusChoices: readonly { value: string; label: string }[] = [
  { value: '', label: 'All' },
  { value: '2xx', label: '2xx (success)' },
  { value: '4xx', label: '4xx (refused or invalid)' },
  { value: '429', label: '429 Too many requests' },
  { value: '5xx', label: '5xx (server error)' },
  { value: '200', label: '200 OK' },
  { value: '201', label: '201 Created' },
  { value: '400', label: '400 Bad request' },
  { value: '401', label: '401 Unauthorized' },
  { value: '403', label: '403 Forbidden' },
  { value: '404', label: '404 Not found' },
  { value: '413', label: '413 Body too large' },
  { value: '500', label: '500 Server error' },
]

/** Why a request was refused: every reason the server may record, in words. */
export const reasonLabels: Record<ActivityReason, { label: string; description: string }> = {
  missing_key: { label: 'No key', description: 'The request carried no API key.' },
  malformed: { label: 'Malformed key', description: 'What was sent is not shaped like an API key.' },
  bad_checksum: { label: 'Bad checksum', description: 'A mistyped key: its checksum does not match.' },
  unknown_key: { label: 'Unknown key', description: 'Well-formed, but no such key exists.' },
  revoked: { label: 'Revoked key', description: 'The key was revoked before this request.' },
  expired: { label: 'Expired key', description: 'The key had passed its expiration date.' },
  exposed: { label: 'Exposed key', description: 'The key was revoked after it was reported leaked.' },
  disabled: { label: 'Disabled key', description: 'The key is disabled.' },
  previous_secret: {
    label: 'Previous secret',
    description:
      "Served with the key's previous secret, during the grace period after the key was rolled. Once the grace ends, that secret is refused as revoked.",
  },
  wrong_project: {
    label: 'Wrong project',
    description: 'The key belongs to another project than the one the request asked for.',
  },
  plan: { label: 'Plan', description: "The account's plan has no API access." },
  missing_scope: {
    label: 'Missing scope',
    description: 'The key lacks the scope this endpoint or tool needs.',
  },
  ip_not_allowed: {
    label: 'IP not allowed',
    description: "The client's IP address is not on the key's list.",
  },
  rate_limited: { label: 'Rate limited', description: 'The key had used up its requests for the minute.' },
  mcp_disabled: {
    label: 'Off for MCP',
    description: "The team's policy does not allow this kind of credential (API keys or OAuth) on MCP.",
  },
}

/**
 * The reasons the Activity filter offers: those a member can see (a request whose key was never identified belongs
 * to no account) and that the server records today.
 */
export const reasonChoices: readonly ActivityReason[] = [
  'missing_scope',
  'wrong_project',
  'plan',
  'rate_limited',
  'expired',
  'revoked',
]

const apiPrefix = '/api/v2'

/** The public API's route patterns, as activity rows name them. */
export const apiRoutes: readonly string[] = [
  '/key',
  '/projects/:projectId/visibility/summary',
  '/projects/:projectId/visibility/diff',
  '/projects/:projectId/visibility/heatmap',
  '/projects/:projectId/citations/stats',
  '/projects/:projectId/citations/top-pages',
  '/projects/:projectId/citations/top-domains',
  '/projects/:projectId/competitive/position',
  '/projects/:projectId/adoption/metrics',
  '/projects/:projectId/traffic/summary',
  '/projects/:projectId/intelligence/what-works',
  '/projects/:projectId/tests',
  '/projects/:projectId/tests/:testId',
  '/projects/:projectId/actions',
  '/projects/:projectId/actions/:actionId',
  '/projects/:projectId/actions/:actionId/brief',
  '/projects/:projectId/webhooks',
  '/projects/:projectId/webhooks/:webhookId',
  '/projects/:projectId/webhooks/:webhookId/rotate-secret',
].map((path) => `${apiPrefix}${path}`)

/** The MCP tools, one per capability of the API. */
export const mcpTools: readonly string[] = [
  'devtune_whoami',
  'devtune_get_visibility_summary',
  'devtune_get_visibility_diff',
  'devtune_get_visibility_heatmap',
  'devtune_get_citation_stats',
  'devtune_get_top_pages',
  'devtune_get_top_domains',
  'devtune_get_competitive_position',
  'devtune_get_adoption_metrics',
  'devtune_get_traffic_summary',
  'devtune_get_what_works',
  'devtune_list_tests',
  'devtune_get_test',
  'devtune_list_actions',
  'devtune_get_action',
  'devtune_update_action_status',
  'devtune_get_action_brief',
  'devtune_generate_action_brief',
  'devtune_list_webhooks',
  'devtune_create_webhook',
  'devtune_delete_webhook',
  'devtune_rotate_webhook_secret',
]

/** The Endpoint filter: every route pattern (shown without its common prefix) and every MCP tool. */
export const endpointChoices: readonly { value: string; label: string }[] = [
  { value: '', label: 'All endpoints and tools' },
  ...apiRoutes.map((route) => ({
    value: route,
    label: route.replace(`${apiPrefix}/projects/:projectId`, ''),
  })),
  ...mcpTools.map((tool) => ({ value: tool, label: `${tool} (MCP)` })),
]
