/** `vigil up`: load the config, start the agent, run until a signal stops it. */
import path from "node:path";
import { adminTokenFile } from "../app/admin-token.ts";
import { App } from "../app/app.ts";
import { handleSignals } from "../app/signals.ts";
import { type Io, reportError } from "./output.ts";
import { configPath } from "./up-args.ts";

/** Starts the agent; `stopped` resolves with the exit code once a signal has stopped it. */
export async function startUp(
  configFlag: string | undefined,
  io: Io,
  env: NodeJS.ProcessEnv,
  opts: { acceptAuditReset?: boolean } = {},
): Promise<{ stopped: Promise<number> }> {
  const file = configPath(configFlag, env);
  let fatal: (code: number) => void = () => undefined;
  const app = await App.load({
    configFile: file,
    env,
    acceptAuditReset: opts.acceptAuditReset ?? false,
    onFatal: () => fatal(1),
  });
  let dispose: () => void = () => undefined;
  const started = app.start();
  const stopped = new Promise<number>((resolve) => {
    dispose = handleSignals(app, resolve, started);
    fatal = resolve;
  }).catch((e: unknown) => reportError(io, e, false));
  try {
    await started;
  } catch (e) {
    dispose();
    throw e;
  }
  io.err(
    `vigil: agent up at ${app.url} (config ${path.relative(process.cwd(), file) || file}; ` +
      `admin token in ${adminTokenFile(app.config.agent.data_dir)})`,
  );
  return { stopped };
}

/** The plain `vigil up` of main.ts: the exit code once the agent has stopped, or why it could not start. */
export async function runUp(configFlag: string | undefined, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const { stopped } = await startUp(configFlag, io, env);
    return await stopped;
  } catch (e) {
    return reportError(io, e, false);
  }
}
