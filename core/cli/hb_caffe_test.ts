/**
 * `axb hb_mapper makertbin --model-type caffe` (issue 14's acceptance): every Horizon
 * artifact from a prototxt + caffemodel pair, the quantized model close to the float one,
 * and bad Caffe input refused with one error line, exit 2, no working_dir.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runCli } from "./_testing.ts";
import { exists, TESTDATA } from "../build/_acceptance_helpers.ts";
import { encodeCaffemodel } from "../caffe/_testing.ts";
import { caffeYaml } from "../build/horizon/_testing.ts";

const CAFFE = join(TESTDATA, "caffe");

/** Run `axb hb_mapper makertbin` on `prototxt` + `caffemodel` in a temp cwd. */
async function makertbin(
  prototxt: string,
  caffemodel: (dir: string) => Promise<string>,
): Promise<{ code: number; stdout: string; stderr: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "axb_hb_caffe_" });
  const cal = join(dir, "cal");
  await Deno.mkdir(cal);
  for (let k = 0; k < 3; k++) {
    await Deno.writeFile(
      join(cal, `s${k}.bgr`),
      Uint8Array.from({ length: 3 * 8 * 8 }, (_, i) => (i * 11 + k * 40) % 256),
    );
  }
  const config = join(dir, "caffe.yaml");
  await Deno.writeTextFile(
    config,
    caffeYaml({
      prototxt,
      caffemodel: await caffemodel(dir),
      calDir: cal,
      workingDir: join(dir, "out"),
      prefix: "net",
      calibrationType: "default",
    }),
  );
  const before = Deno.cwd();
  Deno.chdir(dir);
  try {
    const r = await runCli(["hb_mapper", "makertbin", "--config", config, "--model-type", "caffe"]);
    return { ...r, dir };
  } finally {
    Deno.chdir(before);
  }
}

Deno.test("hb_mapper makertbin --model-type caffe writes every artifact and keeps cosine >= 0.99 per output", async () => {
  const r = await makertbin(
    join(CAFFE, "bn_scale.prototxt"),
    () => Promise.resolve(join(CAFFE, "bn_scale.caffemodel")),
  );
  try {
    assert.equal(r.code, 0, r.stderr);
    for (
      const f of [
        "net_original_float_model.onnx",
        "net_optimized_float_model.onnx",
        "net_quantized_model.onnx",
        "net.bin",
      ]
    ) {
      assert.ok(await exists(join(r.dir, "out", f)), f);
    }
    // Node  ON  Subgraph  Type  Cosine Similarity  Threshold: one row per output.
    const rows = r.stdout.split("\n").filter((l) => /^(prod|emax)\s/.test(l));
    assert.equal(rows.length, 2, r.stdout);
    for (const row of rows) {
      const cosine = Number(row.trim().split(/\s+/)[4]);
      assert.ok(cosine >= 0.99, row);
    }
  } finally {
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("hb_mapper makertbin --model-type caffe refuses bad Caffe input with one error line, exit 2, no working_dir", async (t) => {
  const fc = (dir: string) => {
    const path = join(dir, "fc.caffemodel");
    return Deno.writeFile(
      path,
      encodeCaffemodel([{
        name: "fc",
        blobs: [{ shape: [2, 192], data: new Float32Array(384) }, { shape: [2], data: [0, 0] }],
      }]),
    ).then(() => path);
  };
  const cases: [string, string, (dir: string) => Promise<string>, RegExp][] = [
    [
      "a truncated caffemodel",
      join(CAFFE, "bn_scale.prototxt"),
      async (dir) => {
        const bytes = await Deno.readFile(join(CAFFE, "bn_scale.caffemodel"));
        const path = join(dir, "cut.caffemodel");
        await Deno.writeFile(path, bytes.subarray(0, bytes.length - 37));
        return path;
      },
      /Cannot read caffemodel ".*cut\.caffemodel": file is truncated/,
    ],
    [
      "a prototxt with a syntax error",
      join(CAFFE, "bad/syntax_error.prototxt"),
      () => Promise.resolve(join(CAFFE, "bn_scale.caffemodel")),
      /syntax_error\.prototxt:14:1: expected "}"/,
    ],
    [
      "a layer without weights",
      join(CAFFE, "bn_scale.prototxt"),
      fc,
      /bn_scale\.prototxt:\d+:\d+: layer "\w+" \(\w+\): has no weights/,
    ],
    [
      "an unknown layer type",
      join(CAFFE, "bad/accuracy.prototxt"),
      fc,
      /accuracy\.prototxt:5:1: Not support layer name=accuracy type=Accuracy/,
    ],
  ];
  for (const [what, prototxt, caffemodel, want] of cases) {
    await t.step(what, async () => {
      const r = await makertbin(prototxt, caffemodel);
      try {
        assert.equal(r.code, 2, r.stderr);
        const errors = r.stderr.split("\n").filter((l) => l.includes("error:"));
        assert.equal(errors.length, 1, r.stderr);
        assert.match(errors[0], want);
        assert.equal(await exists(join(r.dir, "out")), false, "working_dir written");
      } finally {
        await Deno.remove(r.dir, { recursive: true });
      }
    });
  }
});
