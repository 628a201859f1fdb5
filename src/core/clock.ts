/** Milliseconds since the Unix epoch. Injected so that tests can fix time. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()
