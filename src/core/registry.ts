/**
 * A named registry: the extension point for probes, providers and stages. Registering a name twice
 * is a programming error and throws at start-up, never later.
 */
export class Registry<T> {
  readonly #items = new Map<string, T>();
  readonly #kind: string;

  constructor(kind: string) {
    this.#kind = kind;
  }

  register(name: string, item: T): this {
    if (this.#items.has(name)) throw new Error(`${this.#kind} "${name}" is registered twice`);
    this.#items.set(name, item);
    return this;
  }

  get(name: string): T | undefined {
    return this.#items.get(name);
  }

  names(): string[] {
    return [...this.#items.keys()];
  }

  entries(): [string, T][] {
    return [...this.#items.entries()];
  }
}
