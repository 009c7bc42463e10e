/**
 * Runs ONNX backend node-test cases (`test_NAME/model.onnx` with
 * `test_data_set_K/input_N.pb` and `output_N.pb`) through the float executor.
 *
 * @module
 */
import { loadModel, loadValueFile } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import type { OpRegistry } from "../ops/op.ts";
import { Tensor } from "../ir/tensor.ts";
import type { ValueInfo } from "../ir/graph.ts";
import { isTensor, OptionalValue, SequenceValue, type Value, valueKind } from "../ir/value.ts";
import { compareTensors, type Tolerance } from "./compare.ts";
import { join } from "node:path";

/** Outcome of one case. */
export interface CaseResult {
  /** Case directory name (`test_…`). */
  name: string;
  /** True when every data set's outputs matched within tolerance. */
  passed: boolean;
  /** Why it failed (first problem found). */
  reason?: string;
}

/** Options of {@linkcode runSuite}. */
export interface SuiteOptions {
  /** Only cases whose directory name matches. */
  filter?: RegExp;
  /** Output comparison tolerance (default {@linkcode SUITE_TOLERANCE}). */
  tolerance?: Tolerance;
  /** Called after each case. */
  onCase?: (r: CaseResult) => void;
}

/** Default tolerance of the ONNX backend tests. */
export const SUITE_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

/** Sorted names of the `test_*` case directories in `dir`. */
export function listCases(dir: string): string[] {
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory && e.name.startsWith("test_")) names.push(e.name);
  }
  return names.sort();
}

/** Run one case directory. Never throws: failures come back as reasons. */
export async function runCase(
  dir: string,
  registry: OpRegistry,
  tol: Tolerance = SUITE_TOLERANCE,
): Promise<CaseResult> {
  const name = dir.split("/").pop() ?? dir;
  try {
    // The node tests feed empty tensors (e.g. an `axes` input of shape [0]).
    const model = await loadModel(join(dir, "model.onnx"), { allowEmptyInputs: true });
    const exec = new Executor(model, registry);
    const sets = [...Deno.readDirSync(dir)]
      .filter((e) => e.isDirectory && e.name.startsWith("test_data_set_"))
      .map((e) => e.name)
      .sort();
    if (sets.length === 0) return { name, passed: false, reason: "no test_data_set_* directory" };
    const formal = model.graph.runtimeInputs;
    for (const set of sets) {
      const inputs = await readIndexed(join(dir, set), "input", formal);
      const expected = await readIndexed(join(dir, set), "output", model.graph.outputs);
      const feeds = new Map<string, Value>();
      inputs.forEach((t, i) => {
        const v = formal[i];
        if (v) feeds.set(v.name, asDeclared(t, v.type));
      });
      const out = exec.runValues(feeds);
      for (let i = 0; i < expected.length; i++) {
        const oname = model.graph.outputs[i]?.name;
        const actual = oname === undefined ? undefined : out.get(oname);
        if (!actual) return { name, passed: false, reason: `${set}: output ${i} missing` };
        const declared = model.graph.outputs[i]?.type;
        const why = compareValues(actual, asDeclared(expected[i], declared), tol);
        if (why) return { name, passed: false, reason: `${set}: output ${i} ("${oname}"): ${why}` };
      }
    }
    return { name, passed: true };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { name, passed: false, reason: msg.split("\n")[0] };
  }
}

/**
 * The ONNX test generator stores bfloat16 tensors as UINT16 bit patterns; read them as
 * the bfloat16 the graph declares.
 */
function asDeclared(v: Value, type: ValueInfo["type"]): Value {
  if (isTensor(v) && type && !("kind" in type) && type.dtype === "bf16" && v.is("u16")) {
    return new Tensor("bf16", v.shape, v.data);
  }
  return v;
}

/** The first difference between two values (kind, length, presence, tensor data). */
function compareValues(actual: Value, expected: Value, tol: Tolerance): string | undefined {
  if (isTensor(actual) && isTensor(expected)) return compareTensors(actual, expected, tol);
  if (actual instanceof SequenceValue && expected instanceof SequenceValue) {
    if (actual.length !== expected.length) {
      return `sequence of ${actual.length} elements, expected ${expected.length}`;
    }
    for (let i = 0; i < actual.length; i++) {
      const why = compareTensors(actual.items[i], expected.items[i], tol);
      if (why) return `element ${i}: ${why}`;
    }
    return undefined;
  }
  if (actual instanceof OptionalValue && expected instanceof OptionalValue) {
    if (!actual.value || !expected.value) {
      return actual.hasValue === expected.hasValue
        ? undefined
        : `optional ${actual.hasValue ? "holds a value" : "is empty"}, expected the opposite`;
    }
    return compareValues(actual.value, expected.value, tol);
  }
  return `a ${valueKind(actual)}, expected a ${valueKind(expected)}`;
}

async function readIndexed(
  dir: string,
  prefix: string,
  declared: readonly ValueInfo[],
): Promise<Value[]> {
  const files = [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((n) => n.startsWith(`${prefix}_`) && n.endsWith(".pb"))
    .sort((a, b) => indexOf(a) - indexOf(b));
  const out: Value[] = [];
  for (const f of files) {
    out.push(await loadValueFile(join(dir, f), declared[indexOf(f)]?.type));
  }
  return out;
}

function indexOf(file: string): number {
  return Number(file.replace(/^\w+?_(\d+)\.pb$/, "$1"));
}

/** Run every case of a suite directory. */
export async function runSuite(
  dir: string,
  registry: OpRegistry,
  opts: SuiteOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const name of listCases(dir)) {
    if (opts.filter && !opts.filter.test(name)) continue;
    const r = await runCase(join(dir, name), registry, opts.tolerance);
    results.push(r);
    opts.onCase?.(r);
  }
  return results;
}
