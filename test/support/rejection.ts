import { expect } from 'vitest'
import { KeywardError } from '../../src/core/errors.ts'

/** The code and message a use-case refused with; fails the test if it did not refuse with a KeywardError. */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(KeywardError)
  const { code, message } = error as KeywardError
  return { code, message }
}
