import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ExpositionCache } from "./exposition.ts";

/** A cache over a render that counts itself, on a clock the test moves. */
function cache(opts: { renderMs?: number } = {}) {
  let now = 0;
  let renders = 0;
  let release: (() => void) | undefined;
  const c = new ExpositionCache({
    contentType: "text/plain",
    now: () => now,
    render: async () => {
      const n = ++renders;
      now += opts.renderMs ?? 0;
      // Held open until the test releases it, to see what callers do meanwhile.
      await new Promise<void>((resolve) => (release = resolve));
      return [Buffer.from(`render ${n}\n`), Buffer.from("end\n")];
    },
  });
  return {
    c,
    renders: () => renders,
    advance: (ms: number) => (now += ms),
    finish: async () => {
      while (!release) await new Promise((r) => setImmediate(r));
      const r = release;
      release = undefined;
      r();
    },
  };
}

describe("ExpositionCache", () => {
  it("shares one render among concurrent scrapes and serves it for a second", async () => {
    const t = cache();
    const scrapes = Promise.all([t.c.get(), t.c.get(), t.c.get()]);
    await t.finish();
    const bodies = (await scrapes).map((e) => Buffer.from(e.body).toString());
    expect(bodies).toEqual(["render 1\nend\n", "render 1\nend\n", "render 1\nend\n"]);
    t.advance(999);
    expect(Buffer.from((await t.c.get()).body).toString()).toBe("render 1\nend\n");
    expect(t.renders()).toBe(1);

    t.advance(1);
    const next = t.c.get();
    await t.finish();
    expect(Buffer.from((await next).body).toString()).toBe("render 2\nend\n");
    expect(t.renders()).toBe(2);
  });

  it("serves a slow render longer: four times what it took", async () => {
    const t = cache({ renderMs: 2_000 });
    const first = t.c.get();
    await t.finish();
    await first;
    t.advance(7_999);
    await t.c.get();
    expect(t.renders()).toBe(1);
    t.advance(1);
    const next = t.c.get();
    await t.finish();
    await next;
    expect(t.renders()).toBe(2);
  });

  it("renders anew after invalidate, even when a render was under way", async () => {
    const t = cache();
    const before = t.c.get();
    t.c.invalidate();
    const after = t.c.get();
    await t.finish();
    expect(Buffer.from((await before).body).toString()).toBe("render 1\nend\n");
    await t.finish();
    expect(Buffer.from((await after).body).toString()).toBe("render 2\nend\n");
    expect(Buffer.from((await t.c.get()).body).toString()).toBe("render 2\nend\n");
  });

  it("compresses each render once, whatever the number of scrapes", async () => {
    const t = cache();
    const e = t.c.get();
    await t.finish();
    const x = await e;
    const [a, b] = await Promise.all([x.gzipped(), (await t.c.get()).gzipped()]);
    expect(a).toBe(b);
    expect(gunzipSync(a).toString()).toBe("render 1\nend\n");
  });

  it("tries again on the next scrape after a render failed", async () => {
    let fail = true;
    const c = new ExpositionCache({
      contentType: "text/plain",
      now: () => 0,
      render: async () => {
        if (fail) throw new Error("store unavailable");
        return [Buffer.from("ok\n")];
      },
    });
    await expect(c.get()).rejects.toThrow("store unavailable");
    fail = false;
    expect(Buffer.from((await c.get()).body).toString()).toBe("ok\n");
  });
});
