/**
 * What `GET /metrics` serves: the text rendered at most once a second and shared, as bytes, by every
 * scrape until it is due again; gzipped once, on the first scrape that asks for it. One render at a
 * time: scrapes that come while it runs wait for it. Rendering 22 MB (100,000 checks) for each of
 * 1,000 concurrent unauthenticated scrapes held the event loop for seconds; now a scrape costs a
 * write of bytes that already exist.
 *
 * A render that takes long (a huge config on a busy machine) is reused longer, `slowFactor` times
 * what it took, so scrapes never spend more than a fifth of the agent's time rendering.
 *
 * Owns: when to render, the shared bytes. Must not import: app, api, store, supervisor.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

/** One render, as every scrape until the next one gets it. */
export interface Exposition {
  contentType: string;
  body: Uint8Array;
  /** The body gzipped, compressed off the event loop once per render. */
  gzipped(): Promise<Uint8Array>;
}

export interface ExpositionOptions {
  /** Renders the text, UTF-8 in pieces; called at most once per `minAgeMs`. */
  render(): Promise<readonly Uint8Array[]>;
  contentType: string;
  now(): number;
  /** How long a render is served before the next scrape renders again. */
  minAgeMs?: number;
}

/** A render is served at least this many times as long as it took. */
const slowFactor = 4;
/** Bytes copied between two yields while joining the pieces (22 MB at once held the loop ~100 ms). */
const joinSlice = 2 * 1024 * 1024;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The pieces in one buffer, a few MB at a time. */
async function join(pieces: readonly Uint8Array[]): Promise<Buffer> {
  const body = Buffer.allocUnsafeSlow(pieces.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  let sinceYield = 0;
  for (const p of pieces) {
    body.set(p, offset);
    offset += p.byteLength;
    sinceYield += p.byteLength;
    if (sinceYield >= joinSlice) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
  return body;
}

interface Rendered extends Exposition {
  /** Served until then (clock ms). */
  until: number;
  generation: number;
}

/**
 * @example
 * const metrics = new ExpositionCache({ render: () => m.render(), contentType, now: Date.now });
 * const { body } = await metrics.get(); // the same bytes for every scrape within the second
 */
export class ExpositionCache {
  readonly #o: Required<ExpositionOptions>;
  #current: Rendered | undefined;
  #rendering: Promise<Rendered> | undefined;
  /** Bumped by `invalidate`: a render begun before it is not served after it. */
  #generation = 0;

  constructor(opts: ExpositionOptions) {
    this.#o = { minAgeMs: 1_000, ...opts };
  }

  /** The current render, or a new one when it is due; concurrent callers share one render. */
  get(): Promise<Exposition> {
    const current = this.#current;
    if (current && current.generation === this.#generation && this.#o.now() < current.until) {
      return Promise.resolve(current);
    }
    const rendering = this.#rendering;
    if (rendering) {
      return rendering.then((r) => (r.generation === this.#generation ? r : this.get()));
    }
    const next = this.#render().finally(() => {
      if (this.#rendering === next) this.#rendering = undefined;
    });
    this.#rendering = next;
    return next;
  }

  /** The next scrape renders anew (a reload changed which series exist). */
  invalidate(): void {
    this.#generation++;
  }

  async #render(): Promise<Rendered> {
    const generation = this.#generation;
    const started = this.#o.now();
    const body = await join(await this.#o.render());
    const finished = this.#o.now();
    let zipped: Promise<Uint8Array> | undefined;
    const rendered: Rendered = {
      contentType: this.#o.contentType,
      body,
      gzipped: () => (zipped ??= gzipAsync(body)),
      until: finished + Math.max(this.#o.minAgeMs, slowFactor * (finished - started)),
      generation,
    };
    if (generation === this.#generation) this.#current = rendered;
    return rendered;
  }
}
