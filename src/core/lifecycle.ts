/**
 * Cleanups in reverse: whatever starts a timer, child, socket or connection registers how to undo it
 * at the moment it creates it, and `close()` runs them last-in first-out. One failing cleanup does
 * not stop the others.
 */

export type Cleanup = () => void | Promise<void>;

export class Lifecycle {
  readonly #cleanups: { name: string; fn: Cleanup }[] = [];
  #closed = false;

  /** Registers a cleanup; it runs before every cleanup registered earlier. */
  defer(name: string, fn: Cleanup): void {
    if (this.#closed) throw new Error(`lifecycle already closed; cannot register "${name}"`);
    this.#cleanups.push({ name, fn });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs every cleanup in reverse order; returns the names and errors of those that failed. */
  async close(): Promise<{ name: string; error: unknown }[]> {
    this.#closed = true;
    const failed: { name: string; error: unknown }[] = [];
    while (this.#cleanups.length > 0) {
      const { name, fn } = this.#cleanups.pop()!;
      try {
        await fn();
      } catch (error) {
        failed.push({ name, error });
      }
    }
    return failed;
  }
}
