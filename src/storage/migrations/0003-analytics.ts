import { type Kysely, sql } from 'kysely'
import { databaseKind } from '../dialect.ts'

/**
 * Project analytics: tracking runs and their citations, topics and prompts, adoption and AI-traffic series, saved
 * prompt tests, actions with their interventions and briefs. Days are the epoch-ms of a UTC midnight (`bigint`), so
 * every window is a range scan on a (project_id, day) index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const float = databaseKind(db) === 'postgres' ? sql`double precision` : sql`real`

  await db.schema
    .createTable('analytics_topics')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('analytics_topics_project')
    .on('analytics_topics')
    .column('project_id')
    .execute()

  await db.schema
    .createTable('analytics_prompts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('topic_id', 'text', (c) => c.notNull().references('analytics_topics.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('analytics_prompts_project')
    .on('analytics_prompts')
    .columns(['project_id', 'topic_id'])
    .execute()

  await db.schema
    .createTable('tracking_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('topic_id', 'text', (c) => c.notNull())
    .addColumn('prompt_id', 'text', (c) => c.notNull())
    .addColumn('brand_mentioned', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer')
    .addColumn('competitors', 'text', (c) => c.notNull())
    .addColumn('competitor_mentions', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  // One run per day × platform × prompt: a re-import of the same run replaces it.
  await db.schema
    .createIndex('tracking_results_run')
    .on('tracking_results')
    .columns(['project_id', 'day', 'platform', 'prompt_id'])
    .unique()
    .execute()

  await db.schema
    .createTable('tracking_citations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('result_id', 'text', (c) => c.notNull().references('tracking_results.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('topic_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) =>
      c.notNull().check(sql`classification in ('primary', 'competitor', 'other')`),
    )
    .addColumn('rank', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('tracking_citations_project_day')
    .on('tracking_citations')
    .columns(['project_id', 'day'])
    .execute()
  await db.schema
    .createIndex('tracking_citations_result')
    .on('tracking_citations')
    .column('result_id')
    .execute()
  await db.schema
    .createIndex('tracking_citations_project_url')
    .on('tracking_citations')
    .columns(['project_id', 'url', 'day'])
    .execute()

  await db.schema
    .createTable('adoption_series')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('npm', 'github')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('adoption_series_pk', ['project_id', 'day', 'source', 'name'])
    .execute()

  await db.schema
    .createTable('traffic_series')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('landing_page', 'text', (c) => c.notNull())
    .addColumn('visits', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('traffic_series_pk', ['project_id', 'day', 'source', 'landing_page'])
    .execute()

  await db.schema
    .createTable('prompt_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('prompt_tests_project')
    .on('prompt_tests')
    .columns(['project_id', 'created_at'])
    .execute()

  await db.schema
    .createTable('prompt_test_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('test_id', 'text', (c) => c.notNull().references('prompt_tests.id').onDelete('cascade'))
    .addColumn('ran_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('prompt_test_runs_test')
    .on('prompt_test_runs')
    .columns(['test_id', 'ran_at'])
    .execute()

  await db.schema
    .createTable('prompt_test_results')
    .addColumn('run_id', 'text', (c) => c.notNull().references('prompt_test_runs.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('brand_mentioned', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer')
    .addColumn('citations', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('prompt_test_results_pk', ['run_id', 'platform'])
    .execute()

  await db.schema
    .createTable('actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('suggested', 'backlog', 'in_progress', 'done', 'dismissed')`),
    )
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('high', 'medium', 'low')`))
    .addColumn('target_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('actions_project')
    .on('actions')
    .columns(['project_id', 'status', 'created_at'])
    .execute()

  await db.schema
    .createTable('interventions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('action_id', 'text', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('done_at', 'bigint', (c) => c.notNull())
    .addColumn('baseline_citations', 'integer', (c) => c.notNull())
    .addColumn('baseline_share_of_voice', float, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('interventions_project')
    .on('interventions')
    .columns(['project_id', 'done_at'])
    .execute()

  await db.schema
    .createTable('action_briefs')
    .addColumn('action_id', 'text', (c) => c.primaryKey().references('actions.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'generating', 'ready')`))
    .addColumn('markdown', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
}
