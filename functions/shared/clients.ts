/**
 * The registry of module-level caches: every AWS SDK client (one module each under aws/, so a function loads only
 * the SDK clients it uses), the parsed configuration, the Ozon client. The SDK reads `AWS_ENDPOINT_URL_<SERVICE>`,
 * which is how the local runtime points the clients at local services; it moves those endpoints between runs, so
 * `resetClients()` forgets every cached client and configuration.
 */
const resets = new Set<() => void>();

/** Registers a module-level cache (a client, the parsed configuration) that a local run must forget. */
export function onReset(reset: () => void): void {
  resets.add(reset);
}

/** Forgets every cached client and configuration: the local runtime calls it after changing the environment. */
export function resetClients(): void {
  for (const reset of resets) reset();
}

/** An SDK client created on first use, once per container, and destroyed by `resetClients()`. */
export function lazyClient<T extends { destroy(): void }>(make: () => T): () => T {
  let client: T | undefined;
  onReset(() => {
    client?.destroy();
    client = undefined;
  });
  return () => {
    client ??= make();
    return client;
  };
}
