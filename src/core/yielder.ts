/**
 * Cooperative yielding for long synchronous loops (label-model fits, EM). A worker only sees a
 * cancel message, and a page only paints, when the loop gives the event loop a turn; awaiting
 * `yieldNow()` every iteration would cost more than the work, so yield at most every `ms`.
 */
export function createYielder(ms = 50): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < ms) return undefined;
    last = now;
    return new Promise<void>((resolve) => setTimeout(resolve, 0));
  };
}
