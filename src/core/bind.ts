/** A use-case with its dependencies bound: callers pass only what follows them (the actor and the input). */
export type Bound<F> = F extends (deps: never, ...rest: infer A) => infer R ? (...rest: A) => R : never

export type BoundUseCases<T> = { [K in keyof T]: Bound<T[K]> }

/**
 * Binds a group of use-cases to the dependencies they share, once, at composition: transports and the CLI then call
 * `services.keys.revoke(actor, input)` and never see a store. A use-case whose dependencies `deps` does not satisfy
 * is a type error here.
 */
export function bindUseCases<D, T extends Record<string, (deps: D, ...rest: never[]) => unknown>>(
  deps: D,
  useCases: T,
): BoundUseCases<T> {
  return Object.fromEntries(
    Object.entries(useCases).map(([name, useCase]) => [name, (...rest: never[]) => useCase(deps, ...rest)]),
  ) as BoundUseCases<T>
}
