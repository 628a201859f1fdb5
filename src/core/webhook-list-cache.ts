import type { ExternalChangeSignal, WebhookStore } from './ports.ts'
import type { Webhook } from './webhooks.ts'

/**
 * Each project's active webhooks, kept in this process: the public list endpoint read them from the database on
 * every request, the largest single cost of that request in a CPU profile (the query, then parsing each row).
 *
 * Correctness rests on three invalidations. This process's own changes drop the project's list after they commit
 * (the use cases in webhooks.ts call `invalidate`). Other nodes' changes arrive through `invalidate` too (on
 * Postgres, the change-notification listener: every webhook change NOTIFYs its project id in its transaction).
 * And `externalChanges` says when nothing cached can be trusted (the listener's connection is down, or on SQLite
 * another connection committed to the file): everything is dropped, and while it keeps saying so every list is
 * read from the database. A read that raced with an invalidation is returned but not kept (the generation).
 */
export class WebhookListCache {
  private readonly lists = new Map<string, readonly Webhook[]>()
  private generation = 0

  constructor(
    private readonly store: Pick<WebhookStore, 'listActive'>,
    private readonly externalChanges?: ExternalChangeSignal,
    private readonly maxProjects = 10_000,
  ) {}

  async listActive(projectId: string): Promise<readonly Webhook[]> {
    if (this.externalChanges?.changedSinceLastCheck()) this.clear()
    const cached = this.lists.get(projectId)
    if (cached) return cached
    const generation = this.generation
    const read = Object.freeze(await this.store.listActive(projectId))
    if (generation === this.generation) {
      // The oldest entry goes first (a Map iterates in insertion order): a bound, not an LRU.
      if (this.lists.size >= this.maxProjects) this.lists.delete(this.lists.keys().next().value as string)
      this.lists.set(projectId, read)
    }
    return read
  }

  /** After a change to the project's webhooks committed (here or on another node). */
  invalidate(projectId: string): void {
    this.generation++
    this.lists.delete(projectId)
  }

  clear(): void {
    this.generation++
    this.lists.clear()
  }
}
