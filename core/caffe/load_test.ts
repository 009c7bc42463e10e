import { strict as assert } from "node:assert";
import { join } from "node:path";
import { decodeCaffeModel, loadCaffeModel } from "./mod.ts";
import { parseCaffeNet } from "./net.ts";
import { encodeCaffemodel } from "./_testing.ts";
import { AxbError, ModelFormatError, UnsupportedOpError } from "../errors/mod.ts";

const DIR = join(import.meta.dirname ?? ".", "../../testdata/caffe");
const POOL_PROTO = join(DIR, "pool_ceil.prototxt");
const POOL_MODEL = join(DIR, "pool_ceil.caffemodel");

/** The error thrown by `f`, checked to be one line with exit status 2. */
async function failure(f: () => unknown): Promise<AxbError> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof AxbError, String(e));
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes("\n"), e.message);
    return e;
  }
  assert.fail("expected an error");
}

const CONV = `input: "data"
input_dim: 1
input_dim: 2
input_dim: 4
input_dim: 4
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param { num_output: 1 kernel_size: 1 } }
`;

Deno.test("loadCaffeModel() names file, line and column when the prototxt has a syntax error", async () => {
  const path = join(DIR, "bad/syntax_error.prototxt");
  const e = await failure(() => loadCaffeModel(path, POOL_MODEL));
  assert.ok(e instanceof ModelFormatError);
  assert.match(
    e.message,
    new RegExp(`^${path.replaceAll(".", "\\.")}:14:1: expected "}" to close`),
  );
});

Deno.test("loadCaffeModel() refuses an Accuracy layer with Horizon's wording", async () => {
  const path = join(DIR, "bad/accuracy.prototxt");
  const weights = encodeCaffemodel([{
    name: "fc",
    blobs: [{ shape: [2, 192], data: new Float32Array(384) }, { shape: [2], data: [0, 0] }],
  }]);
  const e = await failure(() =>
    decodeCaffeModel({
      prototxt: Deno.readTextFileSync(path),
      caffemodel: weights,
      prototxtName: path,
    })
  );
  assert.equal(e.message, `${path}:5:1: Not support layer name=accuracy type=Accuracy`);
});

Deno.test("loadCaffeModel() reports a truncated caffemodel by file name", async () => {
  const bytes = Deno.readFileSync(POOL_MODEL);
  const dir = Deno.makeTempDirSync();
  try {
    const cut = join(dir, "cut.caffemodel");
    Deno.writeFileSync(cut, bytes.subarray(0, bytes.length - 37));
    const e = await failure(() => loadCaffeModel(POOL_PROTO, cut));
    assert.match(
      e.message,
      new RegExp(`^Cannot read caffemodel "${cut}": file is truncated or not a Caffe NetParameter`),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadCaffeModel() reports a missing file as a model format error", async () => {
  const e = await failure(() => loadCaffeModel(POOL_PROTO, join(DIR, "absent.caffemodel")));
  assert.match(e.message, /^Cannot read caffemodel ".*absent\.caffemodel": /);
});

Deno.test("decodeCaffeModel() names the layer when the caffemodel has no weights for it", async () => {
  const caffemodel = encodeCaffemodel([{ name: "other", blobs: [] }]);
  const e = await failure(() => decodeCaffeModel({ prototxt: CONV, caffemodel }));
  assert.equal(
    e.message,
    `net.prototxt:6:1: layer "conv" (Convolution): has no weights in "net.caffemodel" (no layer ` +
      `of that name there; expected weight [1, 2, 1, 1], bias [1])`,
  );
});

Deno.test("decodeCaffeModel() names the blob when a count or shape does not match", async () => {
  const oneBlob = encodeCaffemodel([{
    name: "conv",
    blobs: [{ shape: [1, 2, 1, 1], data: [1, 1] }],
  }]);
  const e1 = await failure(() => decodeCaffeModel({ prototxt: CONV, caffemodel: oneBlob }));
  assert.match(
    e1.message,
    /layer "conv" \(Convolution\): "net\.caffemodel" holds 1 blob\(s\) for it, expected 2/,
  );
  const badShape = encodeCaffemodel([{
    name: "conv",
    blobs: [{ shape: [2, 1, 1, 1], data: [1, 1] }, { shape: [1], data: [0] }],
  }]);
  const e2 = await failure(() => decodeCaffeModel({ prototxt: CONV, caffemodel: badShape }));
  assert.match(
    e2.message,
    /blob 0 \(weight\) in "net\.caffemodel" has shape \[2, 1, 1, 1\], expected \[1, 2, 1, 1\]$/,
  );
});

Deno.test("decodeCaffeModel() refuses a blob whose value count does not fit its shape", async () => {
  const bad = encodeCaffemodel([{ name: "conv", blobs: [{ shape: [1, 2, 1, 1], data: [1] }] }]);
  const e = await failure(() => decodeCaffeModel({ prototxt: CONV, caffemodel: bad }));
  assert.equal(
    e.message,
    `Cannot read caffemodel "net.caffemodel": layer "conv" blob 0 has 1 values but its shape [1, 2, 1, 1] needs 2`,
  );
});

Deno.test("parseCaffeNet() reports schema errors with their position", async () => {
  const cases: [string, RegExp][] = [
    [`input: "x"\ninput_dim: 1\nbogus: 3\n`, /^n:3:1: unknown field "bogus" in net/],
    [
      `layer { name: "p" type: "Pooling" pooling_param { pool: MEDIAN } }`,
      /^n:1:51: layer "p"\.pooling_param\.pool is "MEDIAN", expected one of MAX, AVE, STOCHASTIC$/,
    ],
    [`name: "a"\nname: "b"\n`, /^n:2:1: net\.name is given more than once/],
    [
      `layer { name: "c" convolution_param { num_output: "four" } }`,
      /^n:1:39: layer "c"\.convolution_param\.num_output is "four", expected a number$/,
    ],
    [`layer { name: "a" }\nlayers { name: "b" }\n`, /mixes "layer" and legacy "layers"/],
    [`layer { name: "a" type: "ReLU" }`, /^n: the net declares no input/],
  ];
  for (const [text, re] of cases) {
    const e = await failure(() => parseCaffeNet(text, "n"));
    assert.match(e.message, re);
  }
});

Deno.test("parseCaffeNet() keeps TEST-phase layers and upgrades V1 layer types", () => {
  const net = parseCaffeNet(
    `input: "data"
input_shape { dim: 1 dim: 3 }
layers { name: "a" type: RELU bottom: "data" top: "a" }
layers { name: "t" type: DROPOUT bottom: "a" top: "a" include { phase: TRAIN } }
layers { name: "b" type: INNER_PRODUCT bottom: "a" top: "b" exclude { phase: TRAIN } }
layers { name: "c" type: SOFTMAX_LOSS bottom: "b" top: "c" exclude { phase: TEST } }
`,
    "n",
  );
  assert.deepEqual(net.inputs, [{ name: "data", shape: [1, 3] }]);
  assert.deepEqual(net.layers.map((l) => [l.name, l.type]), [["a", "ReLU"], ["b", "InnerProduct"]]);
});

Deno.test("decodeCaffeModel() applies input shape overrides and refuses unknown input names", async () => {
  const caffemodel = encodeCaffemodel([{
    name: "conv",
    blobs: [{ shape: [1, 2, 1, 1], data: [1, 2] }, { shape: [1], data: [0] }],
  }]);
  const m = decodeCaffeModel({ prototxt: CONV, caffemodel }, {
    inputShapes: { data: [2, 2, 3, 5] },
  });
  assert.deepEqual(m.graph.outputs[0].type, { dtype: "f32", shape: [2, 1, 3, 5] });
  const e = await failure(() =>
    decodeCaffeModel({ prototxt: CONV, caffemodel }, { inputShapes: { img: [1] } })
  );
  assert.match(e.message, /input shape given for "img", but the net's inputs are "data"/);
});

Deno.test("decodeCaffeModel() refuses a layer variant it cannot convert with the layer named", () => {
  const prototxt = `input: "data"
input_dim: 1
input_dim: 1
input_dim: 4
input_dim: 4
layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: STOCHASTIC kernel_size: 2 } }
`;
  assert.throws(
    () => decodeCaffeModel({ prototxt, caffemodel: encodeCaffemodel([{ name: "x", blobs: [] }]) }),
    (e: unknown) =>
      e instanceof UnsupportedOpError && e.exitCode === 2 && /pool STOCHASTIC/.test(e.message) &&
      /net\.prototxt:6:1: layer "p" \(Pooling\)/.test(e.message),
  );
});

Deno.test("decodeCaffeModel() names a bottom that nothing produces", async () => {
  const prototxt = CONV.replace('bottom: "data"', 'bottom: "img"');
  const e = await failure(() =>
    decodeCaffeModel({ prototxt, caffemodel: encodeCaffemodel([{ name: "x", blobs: [] }]) })
  );
  assert.match(
    e.message,
    /layer "conv" reads blob "img", which no input or earlier layer produces/,
  );
});
