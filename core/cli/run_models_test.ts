/**
 * `axb run` on the real models of ../shared/models reproduces the float outputs that
 * PyTorch exported with them (cosine >= 0.99999, max abs difference <= 1e-4).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { main } from "../../cli.ts";
import { readNpy } from "../io/npy.ts";
import { decodeRaw } from "../io/raw.ts";
import { similarity } from "../report/metrics.ts";
import { asFloat32 } from "../ir/tensor.ts";

const MODELS = join(import.meta.dirname ?? ".", "../../../shared/models");

function quietIO() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), debug: false },
    out,
    err,
  };
}

for (const name of ["mobilenet_v2", "resnet18", "squeezenet1_1", "tiny_vit"]) {
  Deno.test(`axb run reproduces ${name}.output.npy`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const inDir = join(dir, "in");
      const outDir = join(dir, "out");
      await Deno.mkdir(inDir);
      await Deno.copyFile(join(MODELS, `${name}.input.npy`), join(inDir, "input.npy"));
      const { io, err } = quietIO();
      const code = await main([
        "run",
        "--model",
        join(MODELS, `${name}.onnx`),
        "--input_dir",
        inDir,
        "--output_dir",
        outDir,
        "--quiet",
      ], io);
      assert.equal(code, 0, err.join("\n"));
      const expected = await readNpy(join(MODELS, `${name}.output.npy`));
      const actual = decodeRaw(
        await Deno.readFile(join(outDir, "output.bin")),
        "f32",
        expected.shape,
        "output.bin",
      );
      const s = similarity(asFloat32(actual), asFloat32(expected));
      assert.ok(s.cosine >= 0.99999, `cosine ${s.cosine}`);
      assert.ok(s.maxAbs <= 1e-4, `max abs diff ${s.maxAbs}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
