/**
 * Test helpers of the cost model: whole-model subgraphs (types from shape inference) of the
 * shared models and of small built models.
 *
 * @module
 */
import type { Model } from "../../../core/ir/graph.ts";
import { opsetOf } from "../../../core/ir/opset.ts";
import { buildModel } from "../../../core/ir/builder.ts";
import { f32 } from "../../../core/ir/tensor.ts";
import { loadModel } from "../../../core/onnx/load.ts";
import { defaultRegistry } from "../../../core/ops/mod.ts";
import { optimizeFrontend } from "../../../core/passes/frontend.ts";
import { inferShapes } from "../../../core/passes/infer_shapes.ts";
import type { TargetSubgraph } from "../../target.ts";

const registry = defaultRegistry();

/** The whole main graph of `model` as one subgraph, in topological order. */
export function wholeGraph(model: Model): TargetSubgraph {
  const { types } = inferShapes(model, registry);
  return {
    graph: model.graph,
    nodes: model.graph.topologicalOrder(),
    types,
    opset: opsetOf(model, ""),
  };
}

let mobilenet: Promise<TargetSubgraph> | undefined;

/** MobileNetV2 224 from `/work/shared/models` after `optimizeFrontend`, as one subgraph. */
export function mobilenetV2(): Promise<TargetSubgraph> {
  mobilenet ??= (async () => {
    const model = await loadModel("/work/shared/models/mobilenet_v2.onnx");
    optimizeFrontend(model, { registry });
    return wholeGraph(model);
  })();
  return mobilenet;
}

/** A one-Conv model `x[1,cin,h,w] → y` with a k×k kernel, stride 1, same padding. */
export function convModel(
  cin: number,
  cout: number,
  h: number,
  w: number,
  k: number,
  group = 1,
): Model {
  const p = (k - 1) / 2;
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, cin, h, w] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, cout, h, w] }],
    initializers: { w: f32([cout, cin / group, k, k]), b: f32([cout]) },
    nodes: [{
      name: "conv",
      opType: "Conv",
      inputs: ["x", "w", "b"],
      outputs: ["y"],
      attrs: {
        kernel_shape: { kind: "ints", value: [k, k] },
        pads: { kind: "ints", value: [p, p, p, p] },
        group: { kind: "int", value: group },
      },
    }],
  });
}
