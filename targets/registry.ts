/**
 * The target registry: an instance (never a global) built by `cli.ts`/`mod.ts` and passed
 * down. Lookup is by name or alias, case-insensitive.
 *
 * @example
 * ```ts
 * import { builtinTargets, TargetRegistry } from "./registry.ts";
 * const targets = new TargetRegistry(builtinTargets());
 * targets.get("ax650n").name; // "AX650"
 * ```
 *
 * @module
 */
import { ConfigError } from "../core/errors/mod.ts";
import type { Target } from "./target.ts";
import { ax650 } from "./ax650.ts";
import { m76h } from "./m76h.ts";
import { ax620e } from "./ax620e.ts";
import { ax615 } from "./ax615.ts";
import { ax637, m57 } from "./m57.ts";
import { bernoulli2 } from "./bernoulli2.ts";
import { bayes, bayesE } from "./bayes.ts";
import { nashE, nashH, nashM, nashP } from "./nash.ts";

/**
 * Every built-in target, AXera first in the order of `--target_hardware`'s help. The first
 * AXera target is pulsar2's default `target_hardware` (AX650, spec `pulsar2-build.md` §4.2).
 * A new chip is one file plus one line here.
 */
export function builtinTargets(): Target[] {
  return [
    ax650,
    ax620e,
    ax615,
    m76h,
    m57,
    ax637,
    bernoulli2,
    bayes,
    bayesE,
    nashE,
    nashM,
    nashP,
    nashH,
  ];
}

/** Targets by name and alias. */
export class TargetRegistry {
  readonly #byKey = new Map<string, Target>();
  readonly #targets: Target[] = [];

  /**
   * A registry holding `targets`, registered in order.
   *
   * @param targets initial targets (e.g. {@linkcode builtinTargets})
   * @throws {ConfigError} when two targets share a name or alias
   */
  constructor(targets: Iterable<Target> = []) {
    for (const t of targets) this.register(t);
  }

  /**
   * Add a target.
   *
   * @throws {ConfigError} when its name, an alias or its `hardwareType` number is already taken
   */
  register(target: Target): void {
    const keys = [target.name, ...target.aliases];
    for (const k of keys) {
      const taken = this.#byKey.get(k.toLowerCase());
      if (taken) {
        throw new ConfigError(
          `Cannot register target "${target.name}": name "${k}" is already used by target "${taken.name}"`,
        );
      }
    }
    const n = target.hardwareType;
    const sameNumber = this.#targets.find((t) => n !== undefined && t.hardwareType === n);
    if (sameNumber) {
      throw new ConfigError(
        `Cannot register target "${target.name}": hardwareType ${n} is already used by target "${sameNumber.name}"`,
      );
    }
    for (const k of keys) this.#byKey.set(k.toLowerCase(), target);
    this.#targets.push(target);
  }

  /** The target called `nameOrAlias` (any case), or undefined. */
  find(nameOrAlias: string): Target | undefined {
    return this.#byKey.get(nameOrAlias.trim().toLowerCase());
  }

  /**
   * The target called `nameOrAlias` (any case).
   *
   * @throws {ConfigError} naming the known targets when there is none
   */
  get(nameOrAlias: string): Target {
    const t = this.find(nameOrAlias);
    if (t) return t;
    throw new ConfigError(
      `Unknown target "${nameOrAlias}": expected one of ${this.names().join(", ")}`,
      { field: "target_hardware" },
    );
  }

  /** Canonical names, in registration order. */
  names(): string[] {
    return this.#targets.map((t) => t.name);
  }

  /** All targets, in registration order. */
  list(): readonly Target[] {
    return [...this.#targets];
  }
}
