/**
 * A build that fails leaves its output directory exactly as it was, and a missing one
 * missing: bad target, core mode, input shape or config, whether refused before any
 * write or found out half-way (calibration data, output processors).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runCli } from "../cli/_testing.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");
const MODEL = join(ROOT, "testdata/models/tiny_cnn.onnx");

/** Every entry under `dir`, files with their bytes. */
async function snapshot(dir: string, prefix = ""): Promise<Map<string, Uint8Array | "dir">> {
  const out = new Map<string, Uint8Array | "dir">();
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) {
      out.set(rel, "dir");
      for (const [k, v] of await snapshot(dir, rel)) out.set(k, v);
    } else {
      out.set(rel, await Deno.readFile(join(dir, rel)));
    }
  }
  return out;
}

async function writeConfig(dir: string, name: string, extra: Record<string, unknown>) {
  const path = join(dir, name);
  const config = {
    quant: {
      input_configs: [{
        tensor_name: "input",
        calibration_dataset: join(ROOT, "testdata/demo/calibration.tar"),
        calibration_format: "Numpy",
        calibration_size: 2,
      }],
    },
    compiler: { check: 0 },
    ...extra,
  };
  await Deno.writeTextFile(path, JSON.stringify(config));
  return path;
}

function build(out: string, args: string[]) {
  return runCli(["build", "--input", MODEL, "--output_dir", out, "--quiet", ...args]);
}

Deno.test("axb build that fails leaves a previous output byte-identical and a missing one missing", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "axb_failed_build_" });
  try {
    const good = await writeConfig(dir, "good.json", {});
    const out = join(dir, "out");
    const first = await build(out, ["--config", good]);
    assert.equal(first.code, 0, first.stderr);
    await Deno.writeTextFile(join(out, "notes.txt"), "kept by the user");
    const before = await snapshot(dir);
    assert.ok(before.has("out/compiled.axmodel") && before.has("out/quant/quant_axmodel.onnx"));

    const cases: [string, string[], RegExp][] = [
      ["an unknown target", ["--config", good, "--target_hardware", "AX999"], /AX999/],
      [
        "a core mode the target lacks",
        ["--config", good, "--target_hardware", "AX620E", "--npu_mode", "NPU3"],
        /NPU3 is not available on AX620E/,
      ],
      ["no config (no calibration data)", [], /quant\.input_configs is empty/],
      [
        "an input shape the calibration data does not have",
        ["--config", good, "--input_shapes", "input:1x3x64x64"],
        /is float32 \[1, 3, 32, 32\], expected float32 \[1, 3, 64, 64\]/,
      ],
      [
        "a missing calibration archive",
        [
          "--config",
          await writeConfig(dir, "missing.json", {
            quant: {
              input_configs: [{ tensor_name: "input", calibration_dataset: join(dir, "no.tar") }],
            },
          }),
        ],
        /no\.tar/,
      ],
      [
        "a Conv at FP32",
        [
          "--config",
          await writeConfig(dir, "fp32.json", {
            quant: {
              input_configs: [{
                tensor_name: "input",
                calibration_dataset: join(ROOT, "testdata/demo/calibration.tar"),
                calibration_format: "Numpy",
                calibration_size: 2,
              }],
              layer_configs: [{ layer_name: "conv1", data_type: "FP32" }],
            },
          }),
        ],
        /conv1/,
      ],
      [
        "an output processor for an unknown output (found after quantization)",
        [
          "--config",
          await writeConfig(dir, "post.json", {
            output_processors: [{ tensor_name: "nope", dst_perm: [1, 0] }],
          }),
        ],
        /output_processors\[0\]\.tensor_name "nope"/,
      ],
    ];
    const after = await snapshot(dir);
    for (const name of ["missing.json", "fp32.json", "post.json"]) {
      before.set(name, after.get(name)!);
    }
    for (const [what, args, why] of cases) {
      await t.step(what, async () => {
        const r = await build(out, args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, why);
        assert.deepEqual(await snapshot(dir), before);
        const fresh = join(dir, "fresh", "out");
        const r2 = await build(fresh, args);
        assert.equal(r2.code, 2, r2.stderr);
        assert.deepEqual(await snapshot(dir), before, "a missing output directory stays missing");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
