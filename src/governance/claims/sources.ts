/**
 * What claim verification may look at besides the machine itself: the agent's own targets, runs,
 * jobs and backups, and the limits the config sets. The app builds one (src/app/governance.ts);
 * tests build one by hand over real files, sockets and processes.
 */
import type { Engine } from "../../containers/engine.ts";
import type { BackupsView } from "../../backups/manifest.ts";
import type { RunView } from "../../gateway/types.ts";
import type { JobView } from "../../jobs/entry.ts";
import type { TargetView } from "../../targets/targets.ts";
import type { KnownNames } from "./kind.ts";

export interface ClaimSources {
  /** Wall-clock ms ("was created" means modified lately). */
  now(): number;
  /** Folders whose files may be read: `governance.verify.paths` and `agent.data_dir`, as configured. */
  paths(): readonly string[];
  /** Hosts a URL or a port may be checked on (`governance.verify.hosts`). */
  hosts(): readonly string[];
  targets(): readonly TargetView[];
  /** Whether a check target reads a container (a `container:` check, a compose member). */
  readsContainer(name: string): boolean;
  /** The base URL of a managed service (`http://127.0.0.1:<port>`), from its port or health URL. */
  serviceUrl(name: string): string | undefined;
  actionNames(): readonly string[];
  getRun(id: string): Promise<RunView | undefined>;
  /** The newest runs of every action, newest first. */
  runs(limit: number): Promise<RunView[]>;
  /** Each backup action's dumps, newest first; throws NOT_FOUND for a name that is no backup action. */
  backups(action: string): Promise<BackupsView[]>;
  jobs(): readonly JobView[];
  /** The container engine, when `agent.docker.host` is configured; otherwise containers are not asked. */
  engine(): Engine | undefined;
}

/** The names parsing may rely on, taken once per claim. */
export function knownNames(s: ClaimSources): KnownNames {
  const targets = s.targets().map((t) => t.name);
  return {
    targets: new Set(targets),
    containers: new Set(targets.filter((t) => s.readsContainer(t))),
    actions: new Set(s.actionNames()),
    jobs: new Set(s.jobs().map((j) => j.name)),
  };
}
