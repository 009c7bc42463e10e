/**
 * Float inference speed of axb's executor against onnxruntime-node and onnxruntime-web
 * (its WebAssembly backend), all on one thread, in the same process, on the real models
 * of ../shared/models. Runs are interleaved (axb, node, web, axb, …) so load on the
 * machine hits every peer alike; each row shows median wall-clock latencies and the
 * ratios axb / peer. axb runs its default kernels (`relaxed-simd`, fused multiply-add,
 * where the engine has it); with `--exact` it also runs the exact `simd` kernels (the
 * TypeScript reference's bits) in a column of their own.
 *
 * axb runs each model after its frontend passes (`optimizeFrontend`: constants folded,
 * LayerNormalization and Gelu fused, identities removed), because that is the graph its
 * build calibrates and analyses, and onnxruntime likewise times its own optimized graph
 * (which it builds from the original bytes it is given). The cosine column still
 * compares axb's output with onnxruntime-node's on the same input.
 *
 * Usage: deno task bench [--runs N] [--warmup N] [--models a,b] [--exact]
 *
 * @module
 */
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { join } from "node:path";
import { loadModel } from "../core/onnx/load.ts";
import { Executor } from "../core/exec/executor.ts";
import { optimizeFrontend } from "../core/passes/frontend.ts";
import { defaultRegistry } from "../core/ops/mod.ts";
import { readNpy } from "../core/io/npy.ts";
import { asFloat32 } from "../core/ir/tensor.ts";
import { parseFlags } from "../core/cli/flags.ts";
import { formatTable } from "../core/report/table.ts";
import { similarity } from "../core/report/metrics.ts";
import { kernelIsa, supportedIsas, useKernelIsa } from "../core/wasm/kernels.ts";

const { values } = parseFlags(Deno.args, [
  { name: "runs", type: "int", help: "timed runs per model and peer" },
  { name: "warmup", type: "int", help: "untimed runs per model and peer first (default 10)" },
  { name: "models", type: "string", help: "comma-separated model names" },
  { name: "exact", type: "bool", help: "also time axb's exact simd kernels" },
]);
const runs = Number(values.get("runs") ?? 10);
const warmup = Number(values.get("warmup") ?? 10);
const names = String(values.get("models") ?? "mobilenet_v2,resnet18,squeezenet1_1,tiny_vit")
  .split(",");
const exact = values.get("exact") === true && supportedIsas().includes("simd");
const dir = join(import.meta.dirname ?? ".", "../../shared/models");
ortWeb.env.wasm.numThreads = 1;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const defaultIsa = kernelIsa();
const rows: string[][] = [];
for (const name of names) {
  const path = join(dir, `${name}.onnx`);
  const input = await readNpy(join(dir, `${name}.input.npy`));
  const model = await loadModel(path);
  optimizeFrontend(model, { registry: defaultRegistry() });
  const exec = new Executor(model, defaultRegistry());
  const inputName = model.graph.runtimeInputs[0].name;
  const outputName = model.graph.outputs[0].name;
  const feeds = new Map([[inputName, input]]);
  const bytes = await Deno.readFile(path);
  const node = await ortNode.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const data = asFloat32(input);
  const nodeFeeds = { [inputName]: new ortNode.Tensor("float32", data, [...input.shape]) };
  const webFeeds = { [inputName]: new ortWeb.Tensor("float32", data, [...input.shape]) };
  const ours = () => exec.run(feeds);
  const oursExact = () => {
    useKernelIsa("simd");
    try {
      return exec.run(feeds);
    } finally {
      useKernelIsa(defaultIsa);
    }
  };
  // warm-up, the same count for every peer: JIT, wasm tier-up (V8 moves axb's kernels to its
  // optimizing tier after some calls; two runs left axb's first timed runs up to 2x slow),
  // packed weights
  for (let i = 0; i < warmup; i++) {
    ours();
    if (exact) oursExact();
    await node.run(nodeFeeds);
    await web.run(webFeeds);
  }
  const t = {
    axb: [] as number[],
    exact: [] as number[],
    node: [] as number[],
    web: [] as number[],
  };
  for (let i = 0; i < runs; i++) {
    t.axb.push(await timed(ours));
    if (exact) t.exact.push(await timed(oursExact));
    t.node.push(await timed(() => node.run(nodeFeeds)));
    t.web.push(await timed(() => web.run(webFeeds)));
  }
  const ourOut = asFloat32(ours().get(outputName)!);
  const nodeOut = (await node.run(nodeFeeds))[outputName].data as Float32Array;
  const [a, r, n, w] = [t.axb, t.exact, t.node, t.web].map((xs) => xs.length ? median(xs) : 0);
  rows.push([
    name,
    a.toFixed(1),
    ...(exact ? [r.toFixed(1)] : []),
    n.toFixed(1),
    w.toFixed(1),
    (a / n).toFixed(2),
    (a / w).toFixed(2),
    ...(exact ? [(r / n).toFixed(2), (r / w).toFixed(2)] : []),
    similarity(ourOut, nodeOut).cosine.toFixed(6),
  ]);
  await node.release();
  await web.release();
}
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(
  formatTable(rows, {
    title: `Float inference, one thread, median of ${runs} interleaved runs (ms); ` +
      `axb kernels ${defaultIsa}; load average ${load}`,
    header: [
      "model",
      "axb",
      ...(exact ? ["axb simd"] : []),
      "ort-node",
      "ort-web",
      "axb/node",
      "axb/web",
      ...(exact ? ["simd/node", "simd/web"] : []),
      "cosine vs node",
    ],
  }),
);
