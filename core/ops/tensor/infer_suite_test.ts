/**
 * Checks `infer` of every tensor operator against the ONNX node-test suite: each
 * single-node case is inferred twice, once with all inputs as known constants (the
 * output shape must match the reference output exactly) and once with shapes only
 * (every concrete dim it reports must match).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { attrReader } from "../../ir/attribute.ts";
import { opsetOf } from "../../ir/opset.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { Dim, TensorType } from "../../ir/types.ts";
import { loadModel, loadTensorFile } from "../../onnx/load.ts";
import { OpRegistry } from "../op.ts";
import { tensorOps } from "./mod.ts";

const NODE_TESTS = "/work/shared/onnx-node-tests";
const registry = new OpRegistry(tensorOps);
/** Output sizes that depend on input values, not only on constant shape-like inputs. */
const DATA_DEPENDENT = new Set(["NonZero", "Unique"]);

async function tensors(dir: string, prefix: string): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for (let i = 0;; i++) {
    try {
      out.push(await loadTensorFile(join(dir, `${prefix}_${i}.pb`)));
    } catch {
      return out;
    }
  }
}

function fits(got: readonly Dim[] | undefined, want: readonly number[], exact: boolean): boolean {
  if (!got) return !exact;
  if (got.length !== want.length) return false;
  return got.every((d, i) => (typeof d === "number" ? d === want[i] : !exact));
}

Deno.test("tensorOps infer() matches reference output shapes of the node tests", async () => {
  const problems: string[] = [];
  let checked = 0;
  const names = [...Deno.readDirSync(NODE_TESTS)].map((e) => e.name).sort();
  for (const name of names) {
    const dir = join(NODE_TESTS, name);
    // Cases whose models axb cannot decode (sequence/optional types) are not tensor ops.
    const model = await loadModel(join(dir, "model.onnx")).catch(() => undefined);
    if (!model) continue;
    const nodes = model.graph.nodes;
    if (nodes.length !== 1 || !registry.has(nodes[0].domain, nodes[0].opType)) continue;
    const node = nodes[0];
    const opset = opsetOf(model, "");
    const op = registry.get(node.domain, node.opType);
    if (!op) continue;
    const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), { opset, node });
    const inputs = await tensors(join(dir, "test_data_set_0"), "input");
    const outputs = await tensors(join(dir, "test_data_set_0"), "output");
    const byName = new Map(model.graph.runtimeInputs.map((v, i) => [v.name, inputs[i]]));
    const values = node.inputs.map((
      n,
    ) => (n ? byName.get(n) ?? model.graph.initializers.get(n) : undefined));
    const types = values.map((
      t,
    ): TensorType | undefined => (t ? { dtype: t.dtype, shape: t.shape } : undefined));
    for (const constants of DATA_DEPENDENT.has(node.opType) ? [false] : [true, false]) {
      const got = prepared.infer({
        opset,
        node,
        inputTypes: types,
        constantInput: (i) => (constants ? values[i] : undefined),
      });
      outputs.forEach((want, i) => {
        const t = got[i];
        if (!t || t.dtype !== want.dtype || !fits(t.shape, want.shape, constants)) {
          problems.push(
            `${name} (constants ${constants}) output ${i}: got ${t?.dtype} [${
              t?.shape?.join(", ")
            }], want ${want.dtype} [${want.shape.join(", ")}]`,
          );
        }
      });
    }
    checked++;
  }
  assert.ok(checked > 150, `only ${checked} cases checked`);
  assert.deepEqual(problems, []);
});
