/**
 * Process signals for `vigil up`: SIGTERM and SIGINT drain and exit 0; SIGHUP reloads the config.
 * A second SIGINT while draining exits at once, as people expect from Ctrl-C twice.
 *
 * Installed before the agent starts: a SIGTERM while it starts (a service manager stopping a slow
 * start) would otherwise kill it with the default action and orphan the services it had started.
 * Such a signal waits for the start to finish, then drains as usual.
 */
import type { App } from "./app.ts";

export function handleSignals(
  app: App,
  exit: (code: number) => void = (c) => process.exit(c),
  started: Promise<unknown> = Promise.resolve(),
): () => void {
  let draining = false;
  const stop = (signal: string) => {
    if (draining) {
      if (signal === "SIGINT") exit(130);
      return;
    }
    draining = true;
    started
      .catch(() => undefined)
      .then(() => app.stop(signal))
      .then(
        () => exit(0),
        (err: unknown) => {
          app.log.error({ err }, "stop failed");
          exit(1);
        },
      );
  };
  const reload = () => {
    if (draining) return;
    started.then(() => app.reload()).catch((err: unknown) => app.log.error({ err }, "reload failed"));
  };
  const onTerm = () => stop("SIGTERM");
  const onInt = () => stop("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  process.on("SIGHUP", reload);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    process.off("SIGHUP", reload);
  };
}
