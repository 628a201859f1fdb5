import type { Kysely } from 'kysely'
import type { Action, ActionPriority, ActionStatus } from '../../core/analytics/model.ts'
import type { ActionStore } from '../../core/analytics/ports.ts'
import type { KeywardTables } from '../schema.ts'

type Row = KeywardTables['actions']
const toAction = (r: Row): Action => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  type: r.type,
  status: r.status as ActionStatus,
  priority: r.priority as ActionPriority,
  targetUrl: r.target_url,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  completedAt: r.completed_at === null ? null : Number(r.completed_at),
})
type InterventionRow = KeywardTables['interventions']
const toIntervention = (r: InterventionRow) => ({
  id: r.id,
  actionId: r.action_id,
  projectId: r.project_id,
  targetUrl: r.target_url,
  doneAt: Number(r.done_at),
  baselineCitations: Number(r.baseline_citations),
  baselineShareOfVoice: Number(r.baseline_share_of_voice),
})
/** High priority first, then the newest. */
const priorityOrder = { high: 0, medium: 1, low: 2 } as const

export function actionStore(db: Kysely<KeywardTables>): ActionStore {
  return {
    async insert(a) {
      await db
        .insertInto('actions')
        .values({
          id: a.id,
          project_id: a.projectId,
          title: a.title,
          type: a.type,
          status: a.status,
          priority: a.priority,
          target_url: a.targetUrl,
          created_at: a.createdAt,
          updated_at: a.updatedAt,
          completed_at: a.completedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toAction(row)
    },
    async list(projectId, status) {
      const rows = await db
        .selectFrom('actions')
        .selectAll()
        .where('project_id', '=', projectId)
        .$if(status !== undefined, (q) => q.where('status', '=', status ?? ''))
        .execute()
      return rows
        .map(toAction)
        .sort(
          (a, b) =>
            priorityOrder[a.priority] - priorityOrder[b.priority] ||
            b.createdAt - a.createdAt ||
            a.id.localeCompare(b.id),
        )
    },
    async updateStatus(id, status, at, completedAt) {
      await db
        .updateTable('actions')
        .set({ status, updated_at: at, completed_at: completedAt })
        .where('id', '=', id)
        .execute()
    },
    async insertIntervention(i) {
      await db
        .insertInto('interventions')
        .values({
          id: i.id,
          action_id: i.actionId,
          project_id: i.projectId,
          target_url: i.targetUrl,
          done_at: i.doneAt,
          baseline_citations: i.baselineCitations,
          baseline_share_of_voice: i.baselineShareOfVoice,
        })
        .execute()
    },
    async interventionOf(actionId) {
      const row = await db
        .selectFrom('interventions')
        .selectAll()
        .where('action_id', '=', actionId)
        .executeTakeFirst()
      return row && toIntervention(row)
    },
    async listInterventions(projectId) {
      const rows = await db
        .selectFrom('interventions as i')
        .innerJoin('actions as a', 'a.id', 'i.action_id')
        .selectAll('i')
        .select('a.type as action_type')
        .where('i.project_id', '=', projectId)
        .orderBy('i.done_at')
        .orderBy('i.id')
        .execute()
      return rows.map((r) => ({ ...toIntervention(r), actionType: r.action_type }))
    },
    async countByStatus(projectId, status) {
      const row = await db
        .selectFrom('actions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('project_id', '=', projectId)
        .where('status', '=', status)
        .executeTakeFirst()
      return Number(row?.n ?? 0)
    },
  }
}
