import type { z } from 'zod'
import { requireProjectAccess } from '../access.ts'
import type { Actor } from '../model.ts'
import type { AnalyticsDeps, windowQuery } from './inputs.ts'
import type { AdoptionPoint } from './model.ts'
import {
  dayMs,
  describeWindow,
  isoDay,
  percentChange,
  previousWindow,
  ratio,
  windowEndingToday,
} from './window.ts'

type Input = { projectId: string } & z.output<typeof windowQuery>

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
/** The last star count on or before `day`, or undefined. */
const starsAt = (points: AdoptionPoint[], day: number) => points.filter((p) => p.day <= day).at(-1)?.value

export async function getAdoptionMetrics(deps: AnalyticsDeps, actor: Actor, input: Input) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'adoption.read', write: false })
  const window = windowEndingToday(deps.clock(), input.windowDays)
  const before = previousWindow(window)
  const points = await deps.storage.series.adoption(input.projectId, before.from - dayMs, window.to)
  const names = (source: 'npm' | 'github') =>
    [...new Set(points.filter((p) => p.source === source).map((p) => p.name))].sort()
  const inRange = (p: AdoptionPoint, from: number, to: number) => p.day >= from && p.day <= to

  const packages = names('npm').map((name) => {
    const own = points.filter((p) => p.source === 'npm' && p.name === name)
    const downloads = sum(own.filter((p) => inRange(p, window.from, window.to)).map((p) => p.value))
    const previous = sum(own.filter((p) => inRange(p, before.from, before.to)).map((p) => p.value))
    return { name, downloads, previousDownloads: previous, changePercent: percentChange(downloads, previous) }
  })
  // Stars are a level: the window's gain is the last count in it minus the last count before it.
  const repos = names('github').map((name) => {
    const own = points.filter((p) => p.source === 'github' && p.name === name)
    const stars = starsAt(own, window.to) ?? 0
    const atStart = starsAt(own, before.to)
    const atPreviousStart = starsAt(own, before.from - dayMs)
    const gained = atStart === undefined ? 0 : stars - atStart
    const previousGained =
      atStart === undefined || atPreviousStart === undefined ? 0 : atStart - atPreviousStart
    return { name, stars, starsGained: gained, previousStarsGained: previousGained }
  })
  const series = []
  for (let day = window.from; day <= window.to; day += dayMs) {
    const today = points.filter((p) => p.day === day)
    series.push({
      date: isoDay(day),
      npmDownloads: sum(today.filter((p) => p.source === 'npm').map((p) => p.value)),
      githubStars: sum(
        repos.map(
          (r) =>
            starsAt(
              points.filter((p) => p.source === 'github' && p.name === r.name),
              day,
            ) ?? 0,
        ),
      ),
    })
  }
  const downloads = sum(packages.map((p) => p.downloads))
  const previousDownloads = sum(packages.map((p) => p.previousDownloads))
  return {
    window: describeWindow(window),
    npm: {
      totalDownloads: downloads,
      previousTotalDownloads: previousDownloads,
      changePercent: percentChange(downloads, previousDownloads),
      packages,
    },
    github: {
      totalStars: sum(repos.map((r) => r.stars)),
      starsGained: sum(repos.map((r) => r.starsGained)),
      previousStarsGained: sum(repos.map((r) => r.previousStarsGained)),
      repositories: repos,
    },
    series,
  }
}

export async function getTrafficSummary(deps: AnalyticsDeps, actor: Actor, input: Input) {
  await requireProjectAccess(deps.storage, actor, input.projectId, { scope: 'traffic.read', write: false })
  const window = windowEndingToday(deps.clock(), input.windowDays)
  const before = previousWindow(window)
  const { series } = deps.storage
  const bySource = await series.trafficBy(input.projectId, window.from, window.to, 'source')
  const previousBySource = await series.trafficBy(input.projectId, before.from, before.to, 'source')
  const byPage = await series.trafficBy(input.projectId, window.from, window.to, 'landingPage')
  const byDay = new Map(
    (await series.trafficBy(input.projectId, window.from, window.to, 'day')).map((r) => [
      Number(r.key),
      r.visits,
    ]),
  )
  const total = sum(bySource.map((s) => s.visits))
  const previousTotal = sum(previousBySource.map((s) => s.visits))
  const sources = [...new Set([...bySource, ...previousBySource].map((s) => s.key))].sort()
  const days = []
  for (let day = window.from; day <= window.to; day += dayMs)
    days.push({ date: isoDay(day), visits: byDay.get(day) ?? 0 })
  return {
    window: describeWindow(window),
    totalVisits: total,
    previousTotalVisits: previousTotal,
    changePercent: percentChange(total, previousTotal),
    bySource: sources
      .map((source) => {
        const visits = bySource.find((s) => s.key === source)?.visits ?? 0
        const previous = previousBySource.find((s) => s.key === source)?.visits ?? 0
        return {
          source,
          visits,
          share: ratio(visits, total),
          previousVisits: previous,
          changePercent: percentChange(visits, previous),
        }
      })
      .sort((a, b) => b.visits - a.visits || a.source.localeCompare(b.source)),
    topLandingPages: byPage
      .sort((a, b) => b.visits - a.visits || a.key.localeCompare(b.key))
      .slice(0, 10)
      .map((p) => ({ landingPage: p.key, visits: p.visits, share: ratio(p.visits, total) })),
    series: days,
  }
}
