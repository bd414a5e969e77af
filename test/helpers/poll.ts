/** Waiting for something the test cannot be told about, by polling: never a fixed sleep. */

/** Polls `f` every 50 ms until it returns a value, and fails naming `what` after `ms`. */
export async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
