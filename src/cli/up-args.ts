/**
 * Where a command finds its config, and the plain forms of `vigil up` that `main.ts` starts the
 * agent from without loading commander and the other verbs (~1 MB of the daemon's RSS).
 */
import path from "node:path";

/** `-c FILE`, else `$VIGIL_CONFIG`, else `./vigil.yaml`. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return path.resolve(flag ?? env.VIGIL_CONFIG ?? "vigil.yaml");
}

/**
 * `up`, `up -c FILE`, `up --config FILE`, `up --config=FILE`. Anything else (help, a typo, a value
 * that looks like an option, another verb) is undefined and goes through the full CLI, which
 * explains it; so the two paths can never read the same words differently.
 */
export function plainUp(argv: readonly string[]): { config: string | undefined } | undefined {
  if (argv[0] !== "up") return undefined;
  const [flag, value, ...more] = argv.slice(1);
  if (flag === undefined) return { config: undefined };
  if (more.length > 0) return undefined;
  if (
    (flag === "-c" || flag === "--config") &&
    value !== undefined &&
    value !== "" &&
    !value.startsWith("-")
  ) {
    return { config: value };
  }
  if (value === undefined && flag.startsWith("--config=") && flag.length > "--config=".length) {
    return { config: flag.slice("--config=".length) };
  }
  return undefined;
}
