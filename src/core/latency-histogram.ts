/**
 * Request latencies are counted in fixed buckets, about 1.5× apart, so that hourly rollups can be summed over any
 * span and percentiles read from the sum without the raw rows. Bucket i holds the latencies above the bound before
 * it, up to and including `latencyBoundsMs[i]`; one last bucket holds everything slower than the last bound.
 */
export const latencyBoundsMs = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 30000,
] as const

export const latencyBucketCount = latencyBoundsMs.length + 1

export function latencyBucketOf(latencyMs: number): number {
  const bucket = latencyBoundsMs.findIndex((bound) => latencyMs <= bound)
  return bucket === -1 ? latencyBoundsMs.length : bucket
}

/**
 * The percentile by nearest rank, from a histogram: the upper bound of the bucket that holds the ⌈n·percent/100⌉-th
 * fastest request, or the slowest request's latency when that is lower (always so in the last, unbounded bucket).
 * The figure is therefore an upper bound: at least `percent` % of the requests took no longer. Null without requests.
 */
export function latencyPercentile(
  counts: readonly number[],
  slowestMs: number,
  percent: number,
): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0)
  if (total === 0) return null
  // Integer arithmetic: 0.95 * 100 would be 95.00000000000001, and its ceiling one rank too far.
  const rank = Math.max(1, Math.ceil((total * percent) / 100))
  let seen = 0
  for (const [bucket, count] of counts.entries()) {
    seen += count
    if (seen >= rank) return Math.min(latencyBoundsMs[bucket] ?? slowestMs, slowestMs)
  }
  return slowestMs
}
