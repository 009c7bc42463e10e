/**
 * Regenerates testdata/caffe/ from code:
 *
 * - four small nets (`pool_ceil`, `bn_scale`, `legacy_v1`, `misc`): `NAME.prototxt`,
 *   `NAME.caffemodel` with seeded weights, and `NAME.onnx`, an ONNX model written
 *   independently by hand with the same weights, whose onnxruntime outputs are the golden
 *   values for the converted nets (see tools/caffe_fixtures/ for what each covers);
 * - `bad/`: inputs the loader must refuse with one named line.
 *
 * Usage: deno run --allow-read --allow-write tools/build_caffe_fixtures.ts
 *
 * @module
 */
import { join } from "node:path";
import { saveModel } from "../core/onnx/save.ts";
import { encodeCaffemodel } from "../core/caffe/_testing.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";
import type { Fixture } from "./caffe_fixtures/fixture.ts";
import { poolCeil } from "./caffe_fixtures/pool_ceil.ts";
import { bnScale } from "./caffe_fixtures/bn_scale.ts";
import { legacyV1 } from "./caffe_fixtures/legacy_v1.ts";
import { misc } from "./caffe_fixtures/misc.ts";

const out = join(import.meta.dirname ?? ".", "../testdata/caffe");
await Deno.mkdir(join(out, "bad"), { recursive: true });

type Small = { prototxt: string; fixture: Fixture; outputs: [string, number[]][] };
const inputs: Record<string, [string, number[]][]> = {
  pool_ceil: [["data", [1, 3, 11, 11]]],
  bn_scale: [["data", [1, 3, 8, 8]]],
  legacy_v1: [["data", [1, 4, 9, 9]]],
  misc: [["data", [1, 4, 6, 6]], ["gate", [1, 4]]],
};
const nets: Small[] = [poolCeil(), bnScale(), legacyV1(), misc()];
for (const { prototxt, fixture, outputs } of nets) {
  const name = fixture.name;
  await writeFileAtomic(join(out, `${name}.prototxt`), prototxt);
  await writeFileAtomic(
    join(out, `${name}.caffemodel`),
    encodeCaffemodel(fixture.layers, { name, v1: name === "legacy_v1" }),
  );
  const io = (list: [string, number[]][]) =>
    list.map(([n, shape]) => ({ name: n, dtype: "f32" as const, shape }));
  await saveModel(fixture.model(io(inputs[name]), io(outputs)), join(out, `${name}.onnx`));
}

await writeFileAtomic(
  join(out, "bad/syntax_error.prototxt"),
  `name: "broken"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 8
input_dim: 8
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3
}
`,
);
await writeFileAtomic(
  join(out, "bad/accuracy.prototxt"),
  `name: "with_accuracy"
layer { name: "data" type: "Input" top: "data" top: "label"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 } } }
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "accuracy" type: "Accuracy" bottom: "fc" bottom: "label" top: "accuracy" }
`,
);
console.log(`wrote ${out}`);
