/**
 * `GET /api/events` on the real agent: live events as they happen, a reconnect with Last-Event-ID
 * that gets exactly what it missed (no gap, no duplicate) and then live ones again, auth, a
 * disconnect that releases the stream, and a SIGTERM that ends open streams and exits 0 promptly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { openSse, type SseFrame } from "../helpers/sse.ts";

const viewer = "viewer-token-0123456789abcdef";
let agent: RunningAgent;

const config = `agent: { listen: "127.0.0.1:0" }
auth:
  tokens: [{ name: watcher, role: viewer, token: ${viewer} }]
`;

const events = (frames: SseFrame[]) => frames.filter((f) => f.id !== undefined && f.event !== "replay.limit");
const ids = (frames: SseFrame[]) => events(frames).map((f) => Number(f.id));
const streams = async (a: RunningAgent) =>
  ((await (await api(a, "/health")).json()) as { event_streams: number }).event_streams;
const post = (path: string, body: unknown) =>
  api(agent, path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  agent = await startAgent(config);
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
});

describe("GET /api/events", () => {
  it("needs a token; a viewer's works; a bad Last-Event-ID is a 400", async () => {
    expect((await api(agent, "/api/events", { token: null })).status).toBe(401);
    const bad = await api(agent, "/api/events", { headers: { "last-event-id": "not-a-seq" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^Last-Event-ID: /);
    expect((await api(agent, "/api/events?types=Not%20A%20Type")).status).toBe(400);

    const sse = await openSse(`${agent.url}/api/events`, { authorization: `Bearer ${viewer}` });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await sse.readUntil((f) => f.some((x) => x.comment === "vigil event stream"));
    sse.close();
  });

  it("streams live events, and a reconnect with Last-Event-ID gets exactly the missed ones, then live ones", async () => {
    const first = await openSse(`${agent.url}/api/events`, { authorization: `Bearer ${viewer}` });
    await first.readUntil((f) => f.some((x) => x.comment === "vigil event stream"));
    expect(await streams(agent)).toBe(1);

    expect((await post("/api/pause", { reason: "sse test" })).status).toBe(200);
    await first.readUntil((f) => events(f).some((e) => e.event === "agent.paused"));
    const paused = events(first.frames).find((e) => e.event === "agent.paused")!;
    expect(JSON.parse(paused.data!)).toMatchObject({
      seq: Number(paused.id),
      type: "agent.paused",
      actor: "admin",
      payload: { reason: "sse test" },
    });
    const lastSeen = Math.max(...ids(first.frames));

    // The client goes away; the agent lets the stream go.
    first.close();
    await expect.poll(() => streams(agent), { timeout: 5_000 }).toBe(0);

    // Missed while away.
    await post("/api/resume", { reason: "one" });
    await post("/api/pause", { reason: "two" });
    await post("/api/resume", { reason: "three" });
    const missed = (
      (await (await api(agent, `/api/audit?after=${lastSeen}`)).json()) as { events: { seq: number }[] }
    ).events.map((e) => e.seq);
    expect(missed.length).toBeGreaterThanOrEqual(3);

    const again = await openSse(`${agent.url}/api/events`, {
      authorization: `Bearer ${viewer}`,
      "last-event-id": String(lastSeen),
    });
    await again.readUntil((f) => ids(f).includes(missed.at(-1)!));
    expect(ids(again.frames).slice(0, missed.length)).toEqual(missed);

    // Then live again, in order, with no duplicate and no gap (every event, no filter).
    await post("/api/pause", { reason: "four" });
    await again.readUntil((f) =>
      events(f).some((e) => e.event === "agent.paused" && e.data!.includes('"reason":"four"')),
    );
    const all = ids(again.frames);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => lastSeen + 1 + i));
    again.close();
    await post("/api/resume", { reason: "cleanup" });
  });

  it("?after= resumes too, and ?types= filters", async () => {
    await post("/api/pause", { reason: "filter" });
    await post("/api/resume", { reason: "filter" });
    const sse = await openSse(`${agent.url}/api/events?after=0&types=agent.paused,agent.resumed`, {
      authorization: `Bearer ${viewer}`,
    });
    await sse.readUntil((f) =>
      events(f).some((e) => e.event === "agent.resumed" && e.data!.includes('"reason":"filter"')),
    );
    expect(new Set(events(sse.frames).map((e) => e.event))).toEqual(
      new Set(["agent.paused", "agent.resumed"]),
    );
    sse.close();
  });

  it("SIGTERM with an open stream: the stream ends and the agent exits 0 promptly", async () => {
    const own = await startAgent(config);
    const sse = await openSse(`${own.url}/api/events`, { authorization: `Bearer ${own.token}` });
    await sse.readUntil((f) => f.some((x) => x.comment === "vigil event stream"));
    const started = Date.now();
    const stopped = own.stop("SIGTERM");
    const { ended } = await sse.readUntil(() => false, 5_000);
    expect(ended).toBe(true);
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
