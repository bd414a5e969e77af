/**
 * The metrics with a series per target: `vigil_target_up`, `vigil_check_last_duration_seconds` and
 * `vigil_check_results_total`. They grow with the config, not with traffic, but a config can be
 * large: at 100,000 checks they are 400,000 series, 22 MB of text, and prom-client took 3.4–5 s to
 * render them in one piece with the event loop held (and 1.5 s to declare them at start). Here
 * the counts are two numbers per target in a Map, and the text is written straight from them, a
 * few milliseconds at a time, yielding to the event loop in between.
 *
 * Owns: the per-target series and their text. Must not import: app, api, store, supervisor.
 */
import type { TargetSample } from "./metrics.ts";

/** States in which a target counts as up: `degraded` has failed fewer than `fail_after` checks. */
const upStates = new Set(["up", "degraded"]);

/** Work between two yields to the event loop while rendering: what a `/health` may wait behind. */
const sliceMs = 8;
/** Lines written before the clock is read again. */
const linesPerCheck = 256;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A label value as the text format wants it: backslash, newline and double quote escaped. */
function label(value: string): string {
  return /[\\\n"]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
    : value;
}

/** Check results of one target; an outcome is undefined until declared or counted, and then shown. */
interface Counts {
  ok: number | undefined;
  failed: number | undefined;
}

export class TargetSeries {
  /** In declaration order, which is the order of the lines. */
  readonly #results = new Map<string, Counts>();

  /** One check result, audited or not. */
  count(target: string, ok: boolean): void {
    let c = this.#results.get(target);
    if (!c) this.#results.set(target, (c = { ok: undefined, failed: undefined }));
    if (ok) c.ok = (c.ok ?? 0) + 1;
    else c.failed = (c.failed ?? 0) + 1;
  }

  /**
   * Starts the checked targets' results at zero (so `rate()` sees the first one) and drops the
   * targets a reload removed, keeping the counts of the rest.
   */
  declare(checked: readonly string[]): void {
    const keep = new Set(checked);
    for (const name of this.#results.keys()) if (!keep.has(name)) this.#results.delete(name);
    for (const name of checked) {
      const c = this.#results.get(name);
      if (!c) this.#results.set(name, { ok: 0, failed: 0 });
      else {
        c.ok ??= 0;
        c.failed ??= 0;
      }
    }
  }

  /**
   * The three families in the text format, as UTF-8 chunks, yielding to the event loop every few
   * milliseconds. `targets` is read once, at the start.
   */
  async render(targets: readonly TargetSample[]): Promise<Buffer[]> {
    const text = new Chunks();
    text.family(
      "vigil_target_up",
      "gauge",
      "1 while a target is up (or degraded: failing fewer than fail_after checks), else 0.",
    );
    for (const t of targets) {
      text.line(
        `vigil_target_up{target="${label(t.name)}",kind="${label(t.kind)}"} ${upStates.has(t.state) ? 1 : 0}`,
      );
      if (text.due()) await yieldToLoop();
    }
    text.family(
      "vigil_check_last_duration_seconds",
      "gauge",
      "How long the target's most recent check took.",
    );
    for (const t of targets) {
      if (!t.last_result) continue;
      text.line(
        `vigil_check_last_duration_seconds{target="${label(t.name)}"} ${t.last_result.duration_ms / 1000}`,
      );
      if (text.due()) await yieldToLoop();
    }
    text.family(
      "vigil_check_results_total",
      "counter",
      "Check results by target and outcome (ok or failed), every result, not only changes.",
    );
    // A copy: a reload may change the map while this yields.
    for (const [name, c] of [...this.#results]) {
      const target = label(name);
      if (c.ok !== undefined) text.line(`vigil_check_results_total{target="${target}",outcome="ok"} ${c.ok}`);
      if (c.failed !== undefined)
        text.line(`vigil_check_results_total{target="${target}",outcome="failed"} ${c.failed}`);
      if (text.due()) await yieldToLoop();
    }
    return text.end();
  }
}

/**
 * Lines gathered into chunks, encoded as they fill (so the encoding is sliced too), and the clock
 * that says when the current slice of work is used up.
 */
class Chunks {
  readonly #chunks: Buffer[] = [];
  #lines: string[] = [];
  #since = performance.now();

  /** A family's header; a blank line before every family but the first, as prom-client writes them. */
  family(name: string, type: string, help: string): void {
    if (this.#chunks.length > 0 || this.#lines.length > 0) this.#lines.push("");
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  line(text: string): void {
    // The slice starts when work resumes, not when the yield began.
    if (this.#since < 0) this.#since = performance.now();
    this.#lines.push(text);
  }

  /** True when the caller should yield now. */
  due(): boolean {
    if (this.#lines.length < linesPerCheck) return false;
    this.#chunks.push(Buffer.from(`${this.#lines.join("\n")}\n`));
    this.#lines = [];
    if (performance.now() - this.#since < sliceMs) return false;
    this.#since = -1;
    return true;
  }

  end(): Buffer[] {
    if (this.#lines.length > 0) this.#chunks.push(Buffer.from(`${this.#lines.join("\n")}\n`));
    this.#lines = [];
    return this.#chunks;
  }
}
