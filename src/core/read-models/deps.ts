import type { Clock } from '../clock.ts'
import type { Storage } from '../ports.ts'
import type { ReadModels } from './ports.ts'

export interface ReadModelDeps {
  storage: Storage
  views: ReadModels
  clock: Clock
}
