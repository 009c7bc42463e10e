/**
 * The bernoulli2 BPU's alignment rules (spec `horizon.md` §12, "Alignment rules") as a
 * rewrite of a subgraph's tensor types, so that the cost model and the tiler see the shapes
 * the hardware actually computes:
 *
 * - **width**: a 4-D feature map's W (NCHW axis 3) is padded to a multiple of
 *   {@linkcode W_ALIGN} (8), and to {@linkcode W_ALIGN_STRIDE2} (16) when it feeds a
 *   stride-2 convolution (`1×8×9×32` NHWC computes as `1×8×16×32`);
 * - **channels**: C (axis 1) is padded to a multiple of {@linkcode C_ALIGN} (8); for a
 *   grouped convolution each group's channels are padded, so the tensor's C becomes
 *   `groups · ⌈C/groups/8⌉ · 8`.
 *
 * Only 4-D tensors are touched; everything else keeps its shape.
 *
 * @module
 */
import type { Node } from "../../core/ir/graph.ts";
import type { Dim, TensorType } from "../../core/ir/types.ts";
import type { TargetSubgraph } from "../target.ts";

/** W alignment of the MAC array (§12). */
export const W_ALIGN = 8;
/** W alignment for the input of a stride-2 convolution (§12). */
export const W_ALIGN_STRIDE2 = 16;
/** Channel alignment (§12). */
export const C_ALIGN = 8;

/** `n` rounded up to a multiple of `m`. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

function intsAttr(n: Node, name: string): readonly number[] | undefined {
  const a = n.attrs.get(name);
  return a?.kind === "ints" ? a.value : undefined;
}

function groupsOf(n: Node): number {
  const a = n.attrs.get("group");
  return a?.kind === "int" ? a.value : 1;
}

/** The aligned shape of a 4-D NCHW tensor (others unchanged). */
export function alignedShape(
  shape: readonly Dim[],
  opts: { readonly wAlign: number; readonly groups: number },
): Dim[] {
  if (shape.length !== 4) return [...shape];
  const [n, c, h, w] = shape;
  const g = Math.max(1, opts.groups);
  const ac = typeof c === "number" ? g * roundUp(Math.ceil(c / g), C_ALIGN) : c;
  const aw = typeof w === "number" ? roundUp(w, opts.wAlign) : w;
  return [n, ac, h, aw];
}

/** `sub` with every 4-D tensor type replaced by its aligned shape. */
export function alignedSubgraph(sub: TargetSubgraph): TargetSubgraph {
  const wAlign = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const n of sub.nodes) {
    if (n.opType !== "Conv") continue;
    const x = n.inputs[0];
    const stride2 = (intsAttr(n, "strides") ?? [1, 1]).some((s) => s === 2);
    if (x && stride2) wAlign.set(x, W_ALIGN_STRIDE2);
    const g = groupsOf(n);
    if (g > 1) {
      for (const v of [x, n.outputs[0]]) if (v) groups.set(v, g);
    }
  }
  const types = new Map<string, TensorType>();
  for (const [name, t] of sub.types) {
    if (!t.shape) {
      types.set(name, t);
      continue;
    }
    const shape = alignedShape(t.shape, {
      wAlign: wAlign.get(name) ?? W_ALIGN,
      groups: groups.get(name) ?? 1,
    });
    types.set(name, { ...t, shape });
  }
  return { ...sub, types };
}
