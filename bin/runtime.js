// The runtime `vigil up` runs with, in one place: bin/vigil.js applies it however the agent is
// started (`vigil up`, `npm start`, `node bin/vigil.js up`, the tests' helper, a service manager's
// unit), and /health and the `agent.started` event report what runs (process.execArgv).
//
// The flags cap V8's young generation, which otherwise grows to ~130 MB under a steady check load
// and keeps the pages it grew into resident after it shrinks (the start-up alone grows it to the
// cap), and collect the old generation before garbage doubles it. A 2 MB cap rather than 8: 50
// services 104 → 93 MB, 10,000 checks 164 → 156 MB, for ~2 points of one core at 10,000 checks. No
// Maglev (V8's middle compiler tier): hot code still reaches TurboFan, and its compile zones and
// code cost 3 MB with 50 services, 8 MB at 10,000 checks, for no measurable CPU (BENCHMARKS.md).
export const nodeFlags = ["--max-semi-space-size=2", "--heap-growing-percent=50", "--no-maglev"];

// glibc gives every thread that allocates its own malloc arena, and the daemon's idle arenas are
// ~25 MB of its RSS (BENCHMARKS.md). glibc reads the limit when the process starts.
export const linuxEnv = { MALLOC_ARENA_MAX: "2" };

/** Node 22.18 is the first with type stripping on by default: the sources run as they are. */
export function nodeSupported(version) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

/** Set for the one re-executed process, which removes it: a second exec never happens. */
export const reexecMarker = "VIGIL_RUNTIME_APPLIED";

/** A flag's name, so `--maglev` and `--no-maglev`, `--a_b=1` and `--a-b=2` are the same flag. */
const flagName = (flag) =>
  flag
    .replace(/^--(no-)?/, "")
    .split("=")[0]
    .replaceAll("_", "-");

/**
 * What the process lacks: the flags whose name is not in `execArgv` (one given by hand, say
 * `--max-semi-space-size=4`, is kept: the operator's choice) and the environment variables not set.
 */
export function missingRuntime(execArgv, env, platform) {
  const given = new Set(execArgv.filter((a) => a.startsWith("--")).map(flagName));
  const flags = nodeFlags.filter((f) => !given.has(flagName(f)));
  const vars =
    platform === "linux"
      ? Object.fromEntries(Object.entries(linuxEnv).filter(([k]) => env[k] === undefined))
      : {};
  return { flags, env: vars };
}

/**
 * Replaces this process, once, by the same command with the runtime's flags and environment added:
 * same pid, same arguments, nothing spawned. Returns when there is nothing to add, when this is the
 * re-executed process already, or when Node cannot exec (Windows): the agent then runs as started.
 */
export function applyRuntime() {
  const reexecuted = process.env[reexecMarker] !== undefined;
  // Not inherited by the agent's services, nor by a `vigil up` one of them might start.
  delete process.env[reexecMarker];
  if (reexecuted || typeof process.execve !== "function") return;
  const lack = missingRuntime(process.execArgv, process.env, process.platform);
  if (lack.flags.length === 0 && Object.keys(lack.env).length === 0) return;
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...lack.flags, ...process.argv.slice(1)],
    { ...process.env, ...lack.env, [reexecMarker]: "1" },
  );
}
