/** Says once, visibly, whether the Postgres half of the storage suite runs. */
export default function setup(): void {
  const url = process.env.TEST_DATABASE_URL
  if (url) console.log(`\nPostgres suite: running against ${url.replace(/\/\/[^@]*@/, '//***@')}\n`)
  else console.log('\nPostgres suite SKIPPED: TEST_DATABASE_URL is not set (CI sets it; see README)\n')
}
