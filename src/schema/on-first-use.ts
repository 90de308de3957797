/**
 * A value built the first time it is asked for, then kept. Schemas are built this way: zod's constructors are most
 * of a cold start's own work, and tools/list needs none of them (its JSON Schemas are computed at build time).
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
