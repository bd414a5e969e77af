import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { openStore } from "./open.ts";
import { RoutedAlerts } from "./routed-alert-store.ts";
import type { Store } from "./store.ts";

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const row = (agent: string, createdAt: number, alert = "{}") => ({
  agent,
  alert,
  receiver: "vigil",
  sentBy: "am",
  fromAgent: "web-1",
  createdAt,
});

describe("routed alerts", () => {
  it("hands each agent its own rows in order, bounded, and drops what nobody took in time", async () => {
    store = await openStore({ store: "sqlite", dataDir: tempDir() });
    const rows = new RoutedAlerts(store.db);
    for (let i = 0; i < 5; i++) await rows.add(row("web-2", 1_000 + i, `{"n":${i}}`));
    await rows.add(row("web-3", 10));

    const two = await rows.pending("web-2", 3);
    expect(two.map((r) => r.alert)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    await rows.remove(two[0]!.seq);
    expect((await rows.pending("web-2", 100)).map((r) => r.alert)).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
      '{"n":4}',
    ]);

    expect(await rows.expire(1_002)).toBe(2); // web-3's row and web-2's n=1
    expect(await rows.pending("web-3", 100)).toEqual([]);
    expect((await rows.pending("web-2", 100)).map((r) => r.alert)).toEqual(['{"n":2}', '{"n":3}', '{"n":4}']);
  });
});
