/** What a doctor check is given, for a config loaded from text: no agent running, nothing sent. */
import type { DoctorContext } from "../../src/doctor/context.ts";
import { load } from "./config.ts";

export function doctorContext(yaml: string): DoctorContext {
  return {
    config: load(yaml).config,
    timeoutMs: 10_000,
    agentRunning: false,
    send: false,
    path: "",
    now: Date.now,
  };
}
