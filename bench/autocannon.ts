import { createRequire } from 'node:module'

/** The part of autocannon's options and result this benchmark uses (the package ships no types). */
export interface AutocannonOptions {
  url: string
  connections: number
  duration: number
  workers?: number
  requests?: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string> }[]
  warmup?: { connections: number; duration: number }
}

export interface AutocannonResult {
  requests: { average: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
}

export const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>
