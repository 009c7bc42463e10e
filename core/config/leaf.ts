/**
 * Valibot leaf schemas for pulsar2 config scalars. Each leaf accepts every spelling the
 * vendor's protobuf JSON/text parsers accept (enum names and numbers, numeric strings,
 * `0`/`1` booleans) and reports problems as `expected …` messages; the resolver adds the
 * file, field path and received value.
 *
 * @module
 */
import * as v from "valibot";
import type { JsonValue } from "./build_config.ts";
import { nearest } from "../util/nearest.ts";

/** Result of converting one raw value. */
export type Converted<T> = { ok: true; value: T } | { ok: false; expected: string };

/** A leaf schema: any input, output `T`, or one issue whose message is `expected …`. */
export type Leaf<T> = v.SchemaWithPipe<
  readonly [v.UnknownSchema, v.RawTransformAction<unknown, T>]
>;

/** Wrap a converter as a valibot schema. */
export function leaf<T>(convert: (x: unknown) => Converted<T>): Leaf<T> {
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const r = convert(dataset.value);
      if (!r.ok) {
        addIssue({ message: r.expected });
        return NEVER;
      }
      return r.value;
    }),
  );
}

const ok = <T>(value: T): Converted<T> => ({ ok: true, value });
const bad = <T>(expected: string): Converted<T> => ({ ok: false, expected });

/** Number from a JSON number or a numeric string (protobuf JSON accepts both). */
function toNumber(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "string" && x.trim() !== "" && Number.isFinite(Number(x))) return Number(x);
  return undefined;
}

/** `true`/`false`, also `1`/`0` and the strings `"true"`/`"false"` (any case). */
export const bool: Leaf<boolean> = leaf((x) => {
  if (typeof x === "boolean") return ok(x);
  if (x === 1 || x === 0) return ok(x === 1);
  if (typeof x === "string" && /^(true|false)$/i.test(x)) return ok(x.toLowerCase() === "true");
  return bad("expected true or false");
});

/** An integer, optionally limited by `test` described as `what`. */
export function int(test?: (n: number) => boolean, what = "an integer"): Leaf<number> {
  return leaf((x) => {
    const n = toNumber(x);
    if (n === undefined || !Number.isInteger(n)) return bad(`expected ${what}`);
    return test && !test(n) ? bad(`expected ${what}`) : ok(n);
  });
}

/** A finite number, optionally limited by `test` described as `what`. */
export function float(test?: (n: number) => boolean, what = "a number"): Leaf<number> {
  return leaf((x) => {
    const n = toNumber(x);
    if (n === undefined || !Number.isFinite(n)) return bad(`expected ${what}`);
    return test && !test(n) ? bad(`expected ${what}`) : ok(n);
  });
}

/** A string, optionally limited by `test` described as `what`. */
export function str(test?: (s: string) => boolean, what = "a string"): Leaf<string> {
  return leaf((x) => {
    if (typeof x !== "string") return bad(`expected ${what}`);
    return test && !test(x) ? bad(`expected ${what}`) : ok(x);
  });
}

/**
 * An enum given by name (exact case, as the vendor writes it) or by its proto number.
 * `allowed` narrows the accepted names (e.g. `conv_bias_data_type` takes only S32/FP32).
 */
export function enumOf<T extends Record<string, number>, K extends keyof T & string>(
  table: T,
  allowed: readonly K[],
): Leaf<K> {
  return choiceOf(allowed, (k) => table[k], (s) => s in table);
}

/**
 * One of `allowed` names (exact case), or the number `numberOf` gives a name (names without
 * one are accepted by name only). `isKnown` tells a name that exists but is not allowed here
 * from a misspelling, for the message.
 */
export function choiceOf<K extends string>(
  allowed: readonly K[],
  numberOf: (name: K) => number | undefined,
  isKnown: (name: string) => boolean = () => false,
): Leaf<K> {
  const byNumber = new Map<number, K>();
  const numbered: string[] = [];
  for (const k of allowed) {
    const n = numberOf(k);
    if (n === undefined) continue;
    byNumber.set(n, k);
    numbered.push(`${k}=${n}`);
  }
  const names = allowed.join(", ");
  const numbers = numbered.length > 0 ? ` (numbers: ${numbered.join(", ")})` : "";
  const isAllowed = (s: string): s is K => (allowed as readonly string[]).includes(s);
  return leaf((x) => {
    if (typeof x === "string" && isAllowed(x)) return ok(x);
    const n = toNumber(x);
    if (n !== undefined) {
      const k = byNumber.get(n);
      return k !== undefined ? ok(k) : bad(`expected one of ${names}${numbers}`);
    }
    if (typeof x === "string") {
      const guess = nearest(x, allowed);
      const hint = guess ? ` (did you mean ${guess}?)` : "";
      const known = isKnown(x) ? `; ${x} is not allowed here` : "";
      return bad(`expected one of ${names}${known}${hint}`);
    }
    return bad(`expected one of ${names}`);
  });
}

/** Every name of an enum table, for {@linkcode enumOf}. */
export function namesOf<T extends Record<string, number>>(table: T): (keyof T & string)[] {
  return Object.keys(table).filter((k): k is keyof T & string => k in table);
}

/** A list of `item`. */
export function list<T>(item: Leaf<T>): v.ArraySchema<Leaf<T>, string> {
  return v.array(item, "expected a list");
}

function isJson(x: unknown): x is JsonValue {
  if (x === null || typeof x === "boolean" || typeof x === "string") return true;
  if (typeof x === "number") return Number.isFinite(x);
  if (Array.isArray(x)) return x.every(isJson);
  if (typeof x === "object") return Object.values(x).every(isJson);
  return false;
}

/** A free-form `google.protobuf.Struct` object. */
export const struct: Leaf<{ [key: string]: JsonValue }> = leaf((x) => {
  if (typeof x === "object" && x !== null && !Array.isArray(x) && isJson(x)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, val] of Object.entries(x)) if (isJson(val)) out[k] = val;
    return ok(out);
  }
  return bad("expected an object of attribute values (a protobuf Struct)");
});
