/**
 * A value built the first time it is asked for, then kept (a rejected promise included). For what a start need not
 * pay for: zod schemas (most of a cold start's own work, and tools/list needs none of them), the Dodo client, ICU's
 * display names, the request-state codec.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
