import type { VigilConfig } from "../config/schema.ts";

/** What every doctor check is given. */
export interface DoctorContext {
  config: VigilConfig;
  /** Every probe, lookup and connection gives up after this long. */
  timeoutMs: number;
  /** An agent answered at its URL: only then are the services it runs expected to be up. */
  agentRunning: boolean;
  /** Send a real test message through each channel instead of only reaching its server. */
  send: boolean;
  /** PATH for programs whose config sets none (what the agent would inherit). */
  path: string;
  now: () => number;
}
