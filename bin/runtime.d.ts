export const nodeFlags: readonly string[];
export const linuxEnv: Readonly<Record<string, string>>;
export const reexecMarker: string;
export function missingRuntime(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): { flags: string[]; env: Record<string, string> };
export function applyRuntime(): void;
export function nodeSupported(version: string): boolean;
