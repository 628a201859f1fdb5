import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'clients/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Backstops, not budgets: tests wait on events, and on two cores shared with other work a CLI test that spawns
    // several processes, or a throttle test that hashes passwords, took 30–35 s (load average 25).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll's own default is 1 s: a page re-rendering after a filter took longer than that at load average 12.
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
  },
})
