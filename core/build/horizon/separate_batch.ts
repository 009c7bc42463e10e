/**
 * `input_parameters.separate_batch: True` (hb_compile, spec `horizon.md` §5.3): the
 * compiled model takes its `input_batch` N samples as N separate `1×…` inputs (separate
 * buffers) instead of one contiguous `N×…` input. The container gets inputs
 * `<name>_batch_0` … `<name>_batch_<N−1>` and a CPU part at its head that concatenates them
 * along the batch axis into `<name>`, which the rest of the model reads unchanged:
 *
 * Before: `input: u8[N, 3, H, W]` → subgraph_cpu_0 …
 * After:  `input_batch_0 … input_batch_<N−1>: u8[1, 3, H, W]` → Concat(axis 0) → `input` → …
 *
 * ⚠ The seed does not name the separate inputs; `<name>_batch_<i>` is axb's choice.
 *
 * @module
 */
import type { Node, ValueInfo } from "../../ir/graph.ts";
import { attr } from "../../ir/builder.ts";
import type { CompiledModel, CompiledSubgraph } from "../../compile/types.ts";
import { GraphError } from "../../errors/mod.ts";

/** The name of the `i`-th separate input of `input`. */
export function separateInputName(input: string, i: number): string {
  return `${input}_batch_${i}`;
}

/**
 * Split input `input` of group 0 of `cm` into `batch` separate single-sample inputs.
 *
 * @throws {GraphError} when `input` is not an input of group 0 with a known shape of
 *   batch `batch`, or when a separate input's name is already taken
 */
export function withSeparateBatch(cm: CompiledModel, input: string, batch: number): CompiledModel {
  const [g0, ...rest] = cm.groups;
  const whole = g0?.inputs.find((v) => v.name === input);
  const t = whole?.type;
  if (!g0 || !whole || !t || "kind" in t || !t.shape || t.shape[0] !== batch) {
    throw new GraphError(
      `Cannot separate the batch of input "${input}": the compiled model has no input of that name with batch ${batch}`,
    );
  }
  const taken = new Set(
    cm.groups.flatMap((g) => g.subgraphs.flatMap((s) => [...s.inputs, ...s.outputs]))
      .map((v) => v.name),
  );
  const parts: ValueInfo[] = Array.from({ length: batch }, (_, i) => {
    const name = separateInputName(input, i);
    if (taken.has(name)) {
      throw new GraphError(
        `Cannot separate the batch of input "${input}": the model already has a value "${name}"`,
      );
    }
    return { name, type: { dtype: t.dtype, shape: [1, ...t.shape!.slice(1)] } };
  });
  const concat: Node = {
    name: `${input}_separate_batch_concat`,
    opType: "Concat",
    domain: "",
    inputs: parts.map((p) => p.name),
    outputs: [input],
    attrs: new Map([["axis", attr.int(0)]]),
  };
  // CPU parts are numbered in order: the new head part is subgraph_cpu_0.
  let cpu = 1;
  const renumbered = g0.subgraphs.map((s): CompiledSubgraph =>
    s.kind === "cpu" ? { ...s, name: `subgraph_cpu_${cpu++}` } : s
  );
  const head: CompiledSubgraph = {
    kind: "cpu",
    name: "subgraph_cpu_0",
    inputs: parts,
    outputs: [whole],
    nodes: [concat],
  };
  return {
    ...cm,
    groups: [{
      ...g0,
      inputs: g0.inputs.flatMap((v) => (v.name === input ? parts : [v])),
      subgraphs: [head, ...renumbered],
    }, ...rest],
  };
}
