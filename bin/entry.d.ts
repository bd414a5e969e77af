export function fingerprint(root: string): string;
export function stampFile(root: string): string;
export function chooseEntry(root: string): string;
