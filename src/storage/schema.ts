import type { Generated } from 'kysely'

/**
 * Keyward's own tables keep instants as epoch milliseconds in a `bigint` column on both SQLite and Postgres, so
 * values, comparisons and indexes behave identically. The identity library's tables (users, auth_*) use its own
 * date mapping: ISO text on SQLite, timestamptz on Postgres.
 */
export interface KeywardTables {
  accounts: {
    id: string
    name: string
    slug: string
    plan: string
    created_at: number
    /** The Owner who may transfer ownership and delete the team (0019). */
    primary_owner_id: Generated<string | null>
    /** Set when the team was deleted (0019): every store read skips the row. */
    deleted_at: Generated<number | null>
  }
  memberships: { account_id: string; user_id: string; role: string; created_at: number }
  projects: { id: string; account_id: string; name: string; created_at: number }
  api_keys: {
    id: string
    project_id: string
    name: string
    prefix: string
    key_hash: string
    /** JSON array of scopes, or NULL for full access. */
    scopes: string | null
    expires_at: number | null
    revoked_at: number | null
    revoked_by: string | null
    created_by: string | null
    created_at: number
    last_used_at: number | null
    /** 0017: when a key was first reported as leaked, and where. */
    exposed_at: number | null
    exposed_url: string | null
    disabled_at: number | null
    /** JSON array of canonical CIDRs; NULL: any address. */
    allowed_ips: string | null
    /** At or below the plan's; NULL: the plan's. */
    rate_limit_per_minute: number | null
    description: string | null
    /** JSON array of tags; NULL: none. */
    tags: string | null
    /** The secret before the last rotation, accepted until `previous_valid_until` (exclusive). */
    previous_key_hash: string | null
    previous_valid_until: number | null
    rotated_at: number | null
  }
  management_events: {
    id: string
    account_id: string
    actor_type: string
    actor_id: string | null
    action: string
    target_type: string
    target_id: string
    details: string
    created_at: number
  }
  instance_settings: { name: string; value: string }
  /** Lines waiting for the audit stream (0013), in `seq` order. */
  audit_outbox: { seq: Generated<number>; event_id: string; line: string; created_at: number }
  audit_stream_lease: { name: string; holder: string | null; until: number }
  management_events_prune: { before: number }
  /** An account's API key policy (0015); no row: the default policy. */
  account_key_policies: {
    account_id: string
    /** 0 or 1. */
    require_expiry: number
    max_lifetime_days: number | null
    default_scopes: string
    leak_response: string
    updated_at: number
    updated_by: string | null
    /** 0 or 1: whether API keys, and OAuth grants, may call MCP (0020). */
    mcp_keys: Generated<number>
    mcp_oauth: Generated<number>
  }
  /** oidc-provider's storage, one row per model instance, the payload as JSON (0020). */
  oauth_store: {
    model: string
    id: string
    payload: string
    grant_id: string | null
    uid: string | null
    expires_at: number | null
    consumed_at: number | null
  }
  /** The private JWK (JSON) that signs access tokens, shared by every node (0020). */
  oauth_signing_keys: { id: string; private_jwk: string; created_at: number }
  /** A user's consent to an MCP client: a credential bound to one project, like a key (0020). */
  oauth_grants: {
    id: string
    account_id: string
    project_id: string
    user_id: string
    client_id: string
    client_name: string
    redirect_host: string
    /** JSON array of scopes, catalogue order. */
    scopes: string
    created_at: number
    last_used_at: number | null
    revoked_at: number | null
    revoked_by: string | null
  }
  /** Key management events waiting to become webhook deliveries and mails (0016). */
  key_event_outbox: { seq: Generated<number>; event: string; created_at: number }
  key_notices: { key_id: string; kind: string; expires_at: number; sent_at: number }
  mail_outbox: {
    id: string
    to_address: string
    subject: string
    body: string
    state: string
    attempts: number
    next_attempt_at: number | null
    last_error: string | null
    created_at: number
    finished_at: number | null
  }
  job_leases: { name: string; holder: string | null; until: number }
  invitations: {
    id: string
    account_id: string
    /** Trimmed and lowercased, like users.email. */
    email: string
    role: string
    /** SHA-256 (hex) of the invite token; the token itself is never stored. */
    token_hash: string
    invited_by: string | null
    created_at: number
    expires_at: number
    accepted_at: number | null
    accepted_by: string | null
    revoked_at: number | null
  }
  users: {
    id: string
    name: string
    email: string
    email_verified: Generated<boolean | number>
    image: string | null
    created_at: Date | string
    updated_at: Date | string
  }
  /** Only the columns Keyward itself reads; better-auth owns the rest. */
  auth_accounts: { id: string; user_id: string; provider_id: string; password: string | null }
  /**
   * Agent Activity as a view over `activity_log` and its dictionaries (migration 0021), in the shape rows had
   * before it: for reading by hand, and by tests. The server reads and writes the tables themselves.
   */
  activity: {
    id: string
    at: number
    account_id: string | null
    project_id: string | null
    key_id: string | null
    method: string
    route: string | null
    path: string
    status: number
    scope: string | null
    latency_ms: number
    error_code: string | null
    rate_limited: number
    reason: string | null
    requested_project_id: string | null
    request_id: string | null
    rpc_id: string | null
    client_ip: string | null
    user_agent: string | null
  }
  /**
   * One row per keyed request, compact (migration 0021): `id` is the time (ms × 2^20, see activity-codec.js), the
   * `*_ref` columns point into the dictionaries (`activity_names`, `_shapes`, `_clients`; 0: none), latency is in
   * hundredths of a ms, `reason_code` a position in core's reasons (0: none), `request_id` 16 bytes for a UUID.
   */
  activity_log: {
    id: bigint | string
    account_ref: number
    project_ref: number
    key_ref: number
    shape_ref: number
    path_ref: number
    client_ref: number
    latency_cs: number
    requested_ref: number
    rpc_ref: number
    reason_code: number
    request_id: Uint8Array
  }
  /**
   * Text that many rows share (account, project, key or OAuth grant ids, paths, JSON-RPC ids): any text, unique (by
   * its md5 on Postgres).
   */
  activity_names: { id: Generated<number>; name: string }
  /** A row's endpoint and outcome: method, route, scope, status, error code, whether it was rate limited. */
  activity_shapes: {
    id: Generated<number>
    method: string
    route: string | null
    scope: string | null
    status: number
    error_code: string | null
    rate_limited: number
  }
  /** A row's client: address and user agent. */
  activity_clients: {
    id: Generated<number>
    client_ip: string | null
    user_agent: string | null
  }
  /**
   * Requests per account, hour (start, ms), key, request shape and reason, by dictionary ids (migration 0021): the
   * chart filtered by endpoint or tool, status or reason.
   */
  activity_hourly_shapes: {
    account_ref: number
    hour: number
    key_ref: number
    shape_ref: number
    reason_code: number
    project_ref: number
    requests: number
  }
  /** activity_hourly_shapes by 12-hour span (`half_day`: its start, ms, a multiple of 12 h); see migration 0022. */
  activity_half_day_shapes: {
    account_ref: number
    half_day: number
    key_ref: number
    shape_ref: number
    reason_code: number
    project_ref: number
    requests: number
  }
  /** activity_hourly by 12-hour span (`half_day`: its start, ms, a multiple of 12 h); see migration 0022. */
  activity_half_day: {
    account_id: string
    half_day: number
    key_id: string
    status_class: string
    project_id: string
    requests: number
    last_at: number
  }
  /** Requests per account, hour (start, ms), key and status class ('2xx', '4xx', '429', '5xx'); see migration 0009. */
  activity_hourly: {
    account_id: string
    hour: number
    key_id: string
    status_class: string
    project_id: string
    requests: number
    last_at: number
  }
  /**
   * Requests per key, hour, method and route ('' when none matched), with errors and a latency histogram whose
   * columns are named by bucket (`latency_le_0_5ms` … `latency_over_30000ms`); see migration 0011.
   */
  activity_hourly_routes: {
    key_id: string
    hour: number
    method: string
    route: string
    requests: number
    errors: number
    last_at: number
    latency_max_ms: number
  } & { [column in LatencyColumn]: number }
  webhooks: {
    id: string
    project_id: string
    url: string
    /** JSON array of event names. */
    events: string
    /** The HMAC signing secret; it has to be kept to sign, so it is stored as is (never returned after create). */
    secret: string
    is_active: number
    created_at: number
    updated_at: number
  }
  webhook_deliveries: {
    id: string
    webhook_id: string
    event: string
    /** The exact bytes that are signed and sent. */
    body: string
    state: string
    attempts: number
    next_attempt_at: number | null
    created_at: number
    finished_at: number | null
  }
  webhook_attempts: {
    id: string
    delivery_id: string
    attempt: number
    at: number
    status_code: number | null
    duration_ms: number
    error: string | null
  }
  analytics_topics: { id: string; project_id: string; name: string; created_at: number }
  analytics_prompts: { id: string; project_id: string; topic_id: string; text: string; created_at: number }
  tracking_results: {
    id: string
    project_id: string
    /** Epoch-ms of the run's UTC midnight. */
    day: number
    platform: string
    topic_id: string
    prompt_id: string
    brand_mentioned: number
    position: number | null
    /** JSON array of the competitor names mentioned. */
    competitors: string
    competitor_mentions: number
    created_at: number
  }
  tracking_citations: {
    id: string
    result_id: string
    project_id: string
    day: number
    platform: string
    topic_id: string
    url: string
    domain: string
    title: string
    classification: string
    rank: number
  }
  /** Daily rollup of tracking_results and tracking_citations (migration 0005). */
  tracking_daily: {
    project_id: string
    day: number
    platform: string
    topic_id: string
    runs: number
    brand_mentions: number
    competitor_mentions: number
    positioned_runs: number
    position_sum: number
    primary_citations: number
    competitor_citations: number
    other_citations: number
  }
  /** tracking_daily summed per project × day (migration 0005). */
  tracking_day_totals: {
    project_id: string
    day: number
    runs: number
    brand_mentions: number
    competitor_mentions: number
    positioned_runs: number
    position_sum: number
    primary_citations: number
    competitor_citations: number
    other_citations: number
  }
  /** Daily rollup of tracking_citations per cited page (migration 0005). */
  tracking_page_daily: {
    project_id: string
    day: number
    url: string
    domain: string
    classification: string
    title: string
    citations: number
    rank_sum: number
    top3_count: number
  }
  /** Every page a project has been cited with (migration 0007). */
  tracking_pages: { project_id: string; url: string; domain: string; classification: string; title: string }
  /** A page's citations from its first day through `day`, for every day through the last (migration 0007). */
  tracking_page_running: {
    project_id: string
    day: number
    url: string
    citations_to_date: number
    rank_sum_to_date: number
    top3_to_date: number
  }
  adoption_series: { project_id: string; day: number; source: string; name: string; value: number }
  traffic_series: { project_id: string; day: number; source: string; landing_page: string; visits: number }
  prompt_tests: { id: string; project_id: string; name: string; prompt: string; created_at: number }
  prompt_test_runs: { id: string; test_id: string; ran_at: number }
  prompt_test_results: {
    run_id: string
    platform: string
    brand_mentioned: number
    position: number | null
    citations: number
  }
  actions: {
    id: string
    project_id: string
    title: string
    type: string
    status: string
    priority: string
    target_url: string | null
    created_at: number
    updated_at: number
    completed_at: number | null
  }
  interventions: {
    id: string
    action_id: string
    project_id: string
    target_url: string
    done_at: number
    baseline_citations: number
    baseline_share_of_voice: number
  }
  action_briefs: {
    action_id: string
    project_id: string
    status: string
    markdown: string | null
    attempts: number
    lease_until: number | null
    updated_at: number
  }
  /** Leak reports waiting to be acted on, then kept as their record (0017). */
  key_exposures: {
    id: string
    key_id: string
    reporter: string
    url: string | null
    source: string | null
    reported_at: number
    lease_until: number
    attempts: number
    response: string | null
    processed_at: number | null
  }
}

/** A latency histogram column of `activity_hourly_routes`: `latency_le_0_5ms` … `latency_over_30000ms`. */
export type LatencyColumn = `latency_${'le' | 'over'}_${string}ms`
