/**
 * The probe registry: one line per check type. A new type is one file (its schema and probe) plus
 * one test, registered here; `probes.test.ts` fails when a probe file is not registered.
 */
import { Registry } from "../core/registry.ts";
import { commandProbe } from "./command.ts";
import { diskProbe } from "./disk.ts";
import { heartbeatProbe } from "./heartbeat.ts";
import { httpProbe } from "./http.ts";
import { memoryProbe } from "./memory.ts";
import type { Probe } from "./probe.ts";
import { processProbe } from "./process.ts";
import { tcpProbe } from "./tcp.ts";

export const probes = new Registry<Probe<unknown>>("probe");
for (const p of [
  httpProbe,
  tcpProbe,
  commandProbe,
  diskProbe,
  memoryProbe,
  processProbe,
  heartbeatProbe,
] as Probe<never>[]) {
  probes.register(p.type, p);
}
