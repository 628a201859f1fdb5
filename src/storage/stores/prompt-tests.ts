import type { Kysely } from 'kysely'
import type { PromptTestStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

export function promptTestStore(db: Kysely<KeywardTables>): PromptTestStore {
  return {
    async insert(test) {
      await db
        .insertInto('prompt_tests')
        .values({
          id: test.id,
          project_id: test.projectId,
          name: test.name,
          prompt: test.prompt,
          created_at: test.createdAt,
        })
        .execute()
      if (test.runs.length === 0) return
      await db
        .insertInto('prompt_test_runs')
        .values(test.runs.map((r) => ({ id: r.id, test_id: test.id, ran_at: r.ranAt })))
        .execute()
      const results = test.runs.flatMap((r) =>
        r.results.map((x) => ({
          run_id: r.id,
          platform: x.platform,
          brand_mentioned: x.brandMentioned ? 1 : 0,
          position: x.position,
          citations: x.citations,
        })),
      )
      if (results.length > 0) await db.insertInto('prompt_test_results').values(results).execute()
    },
    async list(projectId) {
      const rows = await db
        .selectFrom('prompt_tests as t')
        .leftJoin('prompt_test_runs as r', 'r.test_id', 't.id')
        .select((eb) => [
          't.id',
          't.name',
          't.prompt',
          't.created_at',
          eb.fn.count('r.id').as('runs'),
          eb.fn.max('r.ran_at').as('last'),
        ])
        .where('t.project_id', '=', projectId)
        .groupBy(['t.id', 't.name', 't.prompt', 't.created_at'])
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id')
        .execute()
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        prompt: r.prompt,
        createdAt: Number(r.created_at),
        runCount: Number(r.runs),
        lastRunAt: r.last === null ? null : Number(r.last),
      }))
    },
    async findById(id) {
      const test = await db.selectFrom('prompt_tests').selectAll().where('id', '=', id).executeTakeFirst()
      if (!test) return undefined
      const runs = await db
        .selectFrom('prompt_test_runs')
        .selectAll()
        .where('test_id', '=', id)
        .orderBy('ran_at', 'desc')
        .orderBy('id')
        .execute()
      const results =
        runs.length === 0
          ? []
          : await db
              .selectFrom('prompt_test_results')
              .selectAll()
              .where(
                'run_id',
                'in',
                runs.map((r) => r.id),
              )
              .orderBy('platform')
              .execute()
      return {
        id: test.id,
        projectId: test.project_id,
        name: test.name,
        prompt: test.prompt,
        createdAt: Number(test.created_at),
        runs: runs.map((r) => ({
          id: r.id,
          ranAt: Number(r.ran_at),
          results: results
            .filter((x) => x.run_id === r.id)
            .map((x) => ({
              platform: x.platform,
              brandMentioned: x.brand_mentioned === 1,
              position: x.position,
              citations: x.citations,
            })),
        })),
      }
    },
  }
}
