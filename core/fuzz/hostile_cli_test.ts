/**
 * Every hostile input of issue 12, through the `axb` command in process: each gives one
 * line naming the problem with exit status 2 (or the stated warning), writes nothing to the
 * output directory, and the decompression bombs stop at their limits.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { main } from "../../cli.ts";
import { oneLine } from "../errors/mod.ts";
import {
  decodeModelMsg,
  encodeModelMsg,
  graphOf,
  nodeOf,
  setDim,
  setElemType,
  setIntsAttr,
  setIrVersion,
  setOpset,
} from "./model_edit.ts";
import type { ModelMsg } from "../onnx/onnx_proto.ts";
import {
  gzipTarBomb,
  gzipTarLie,
  npyFloat32,
  npyWithHeader,
  tarArchive,
  zipOverlapBomb,
} from "./archive_build.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");
const TINY = join(ROOT, "testdata/models/tiny_cnn.onnx");
const SAMPLE = [1, 3, 32, 32];
/**
 * A guard that the refusals below stop rather than run to the end (inflating 4 GiB, reading a
 * 20 MB string through the parser), not a speed target: generous enough for a loaded machine.
 */
const STOP_GUARD_MS = 60_000;

interface Outcome {
  code: number;
  err: string[];
  written: string[];
  ms: number;
}

/** Run `axb ARGS` built by `prepare` in a fresh folder; report what the output dir holds. */
async function axb(prepare: (dir: string) => Promise<string[]>): Promise<Outcome> {
  const dir = await Deno.makeTempDir({ prefix: "axb_hostile_" });
  try {
    const args = await prepare(dir);
    const err: string[] = [];
    const t0 = performance.now();
    const code = await main(args, { stdout: () => {}, stderr: (t) => err.push(t), debug: false });
    const ms = performance.now() - t0;
    let written: string[] = [];
    try {
      written = [...Deno.readDirSync(join(dir, "out"))].map((e) => e.name);
    } catch {
      // no output directory: nothing written
    }
    return { code, err, written, ms };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Exit 2, the last stderr line the one-line error matching `pattern`, nothing written. */
function assertRefused(o: Outcome, pattern: RegExp): void {
  const last = o.err.at(-1) ?? "";
  assert.equal(o.code, 2, o.err.join("\n"));
  assert.match(last, /^axb \w+: error: /);
  assert.doesNotMatch(last, /internal error/);
  assert.ok(!last.includes("\n"), "one line");
  assert.match(last, pattern);
  assert.deepEqual(o.written, [], "nothing may be written to the output directory");
}

async function calibrationTar(dir: string, count = 4): Promise<string> {
  const path = join(dir, "calib.tar");
  const entries = Array.from({ length: count }, (_, i) => ({
    name: `s${i}.npy`,
    data: npyFloat32(SAMPLE),
  }));
  await Deno.writeFile(path, tarArchive(entries));
  return path;
}

async function buildArgs(
  dir: string,
  opts: { model?: string; dataset?: string; size?: number } = {},
): Promise<string[]> {
  const dataset = opts.dataset ?? await calibrationTar(dir);
  const config = join(dir, "config.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      quant: {
        input_configs: [{
          tensor_name: "input",
          calibration_dataset: dataset,
          calibration_format: "Numpy",
          calibration_size: opts.size ?? 4,
        }],
      },
      compiler: { check: 0 },
    }),
  );
  return [
    "build",
    "--quiet",
    "--input",
    opts.model ?? TINY,
    "--output_dir",
    join(dir, "out"),
    "--config",
    config,
  ];
}

/** tiny_cnn edited by `edit`, written into `dir`. */
async function editedModel(dir: string, edit: (m: ModelMsg) => void): Promise<string> {
  const m = decodeModelMsg(await Deno.readFile(TINY));
  edit(m);
  const path = join(dir, "model.onnx");
  await Deno.writeFile(path, encodeModelMsg(m));
  return path;
}

async function buildEdited(edit: (m: ModelMsg) => void): Promise<Outcome> {
  return await axb(async (dir) => buildArgs(dir, { model: await editedModel(dir, edit) }));
}

const inputOf = (m: ModelMsg) => graphOf(m).input![0];

Deno.test("axb build refuses an input dim of -1, -7, 0, 2^31, 2^40 and 2^63-1 by name", async () => {
  for (const d of [-1n, -7n, 0n, 2n ** 31n, 2n ** 40n, 2n ** 63n - 1n]) {
    const o = await buildEdited((m) => setDim(inputOf(m), 2, d));
    assertRefused(o, /input "input" has dim .* at axis 2/);
  }
});

Deno.test("axb inspect refuses an input dim of 2^31 with exit 2", async () => {
  const o = await axb(async (dir) => [
    "inspect",
    await editedModel(dir, (m) => setDim(inputOf(m), 3, 2n ** 31n)),
  ]);
  assertRefused(o, /dim 2147483648/);
});

Deno.test("axb build refuses an input too large for the tensor size limit", async () => {
  const o = await buildEdited((m) => {
    setDim(inputOf(m), 2, 2n ** 20n);
    setDim(inputOf(m), 3, 2n ** 20n);
  });
  assertRefused(
    o,
    /input "input" \[1, 3, 1048576, 1048576\] takes .* over axb's tensor size limit/,
  );
});

Deno.test("axb build refuses opsets 0, -1, 99 and 2^40 and IR versions 0 and 99", async () => {
  for (const v of [0n, -1n, 99n, 2n ** 40n]) {
    assertRefused(await buildEdited((m) => setOpset(m, v)), /opset_import .* expected 1 to 23/);
  }
  for (const v of [0n, 99n]) {
    assertRefused(await buildEdited((m) => setIrVersion(m, v)), /ir_version is \d+, expected 1/);
  }
});

Deno.test("axb build refuses an empty graph, no outputs and a repeated output", async () => {
  assertRefused(await buildEdited((m) => graphOf(m).node = []), /no nodes/);
  assertRefused(await buildEdited((m) => graphOf(m).output = []), /no outputs/);
  assertRefused(
    await buildEdited((m) => graphOf(m).output!.push(graphOf(m).output![0])),
    /lists output "prob" twice/,
  );
});

Deno.test("axb build refuses float16 and float64 input into float32 Conv weights", async () => {
  for (const code of [10, 11]) {
    const o = await buildEdited((m) => setElemType(inputOf(m), code));
    assertRefused(o, /node "conv1" \(Conv\) takes input 0 \("input"\) as float(16|64)/);
  }
});

Deno.test("axb build refuses MaxPool kernels [0,0], [-1,-1], [2^31,2^31] and Conv strides [-1,-1]", async () => {
  for (const k of [0n, -1n, 2n ** 31n]) {
    const o = await buildEdited((m) => setIntsAttr(nodeOf(m, "MaxPool")!, "kernel_shape", [k, k]));
    assertRefused(o, /node "pool1" \(MaxPool\) has kernel_shape/);
  }
  const o = await buildEdited((m) => setIntsAttr(nodeOf(m, "Conv")!, "strides", [-1n, -1n]));
  assertRefused(o, /node "conv1" \(Conv\) has strides \[-1, -1\]/);
});

Deno.test("axb build refuses a MaxPool window larger than its padded input", async () => {
  const big = 2n ** 31n - 1n;
  const o = await buildEdited((m) =>
    setIntsAttr(nodeOf(m, "MaxPool")!, "kernel_shape", [big, big])
  );
  assertRefused(o, /node "pool1" \(MaxPool\) gives output "p1" the empty shape/);
});

Deno.test("axb build keeps an error one line when a node name holds a newline", async () => {
  const o = await buildEdited((m) => {
    const conv = nodeOf(m, "Conv")!;
    conv.name = "conv\nevil\r\u2028name";
    setIntsAttr(conv, "strides", [-1n, -1n]);
  });
  assertRefused(o, /node "conv\\nevil\\r\\u2028name" \(Conv\)/);
});

async function configOutcome(name: string, text: string | Uint8Array): Promise<Outcome> {
  return await axb(async (dir) => {
    const path = join(dir, name);
    if (typeof text === "string") await Deno.writeTextFile(path, text);
    else await Deno.writeFile(path, text);
    return ["config", "--config", path];
  });
}

Deno.test("axb config refuses a YAML alias bomb by name", async () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const next = String.fromCharCode(97 + i);
    lines.push(`${next}: &${next} [${new Array(9).fill(`*${prev}`).join(",")}]`);
  }
  const o = await configOutcome("bomb.yaml", lines.join("\n") + "\n");
  assertRefused(o, /bomb\.yaml: invalid YAML: aliases expand/);
});

Deno.test("axb config refuses prototxt, JSON, YAML and TOML nested too deep", async () => {
  const deep = 50_000;
  const cases: [string, string][] = [
    ["deep.prototxt", "a { ".repeat(20_000) + "}".repeat(20_000)],
    ["deep.json", "[".repeat(deep) + "]".repeat(deep)],
    ["deep.yaml", "a: " + "[".repeat(deep) + "]".repeat(deep) + "\n"],
    ["deep.toml", "a = " + "[".repeat(deep) + "]".repeat(deep) + "\n"],
  ];
  for (const [name, text] of cases) {
    const o = await configOutcome(name, text);
    assertRefused(o, new RegExp(`${name.replace(".", "\\.")}:\\d+.*nest deeper than 64`));
  }
});

Deno.test("axb config refuses a 20 MB string quickly, quoting none of it", async () => {
  const o = await configOutcome("big.json", `{"input": "${"x".repeat(20 * 2 ** 20)}"}`);
  assertRefused(o, /big\.json is larger than 1 MiB/);
  assert.ok((o.err.at(-1) ?? "").length < 300);
  assert.ok(o.ms < STOP_GUARD_MS, `${o.ms} ms`);
});

Deno.test("axb build refuses a .npy header with shape (1, -3, 32, 32) by file name", async () => {
  const o = await axb(async (dir) => {
    const npy = npyWithHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -3, 32, 32), }",
      new Uint8Array(64),
    );
    const path = join(dir, "neg.tar");
    await Deno.writeFile(path, tarArchive([{ name: "s0.npy", data: npy }]));
    return buildArgs(dir, { dataset: path });
  });
  assertRefused(o, /"s0\.npy".*shape \(1, -3, 32, 32\)/);
});

Deno.test("axb build stops a 4 MB gzip that inflates to 4 GiB at its limit", async () => {
  const o = await axb(async (dir) => {
    const path = join(dir, "bomb.tar.gz");
    await Deno.writeFile(path, gzipTarBomb(4096));
    return buildArgs(dir, { dataset: path });
  });
  assertRefused(o, /bomb\.tar\.gz": it decompresses to more than 64\.2 MiB/);
  assert.ok(o.ms < STOP_GUARD_MS, `${o.ms} ms`);
});

Deno.test("axb build refuses a tar.gz member declaring 4 GiB at its header", async () => {
  const o = await axb(async (dir) => {
    const path = join(dir, "lie.tar.gz");
    await Deno.writeFile(path, gzipTarLie(4 * 2 ** 30));
    return buildArgs(dir, { dataset: path });
  });
  assertRefused(o, /member "big\.npy" decompresses to more than 16\.0 MiB/);
});

Deno.test("axb build stops a 4 GiB zip bomb of overlapping entries at its limit", async () => {
  const o = await axb(async (dir) => {
    const path = join(dir, "bomb.zip");
    await Deno.writeFile(path, zipOverlapBomb(4096));
    return buildArgs(dir, { dataset: path });
  });
  assertRefused(o, /bomb\.zip": it decompresses to more than 64\.2 MiB/);
  assert.ok(o.ms < STOP_GUARD_MS, `${o.ms} ms`);
});

Deno.test("axb build warns by name about link members and about a short dataset", async () => {
  const o = await axb(async (dir) => {
    const path = join(dir, "links.tar");
    const sample = npyFloat32(SAMPLE);
    await Deno.writeFile(
      path,
      tarArchive([
        { name: "s0.npy", data: sample },
        { name: "s1.npy", data: sample },
        { name: "s2.npy", type: "2", linkname: "/etc/passwd" },
        { name: "s3.npy", type: "1", linkname: "s0.npy" },
      ]),
    );
    return buildArgs(dir, { dataset: path, size: 1000 });
  });
  assert.equal(o.code, 0, o.err.join("\n"));
  const warnings = o.err.join("\n");
  assert.match(
    warnings,
    /skip 2 link member\(s\) in \[.*links\.tar\]: "s2\.npy" -> "\/etc\/passwd", "s3\.npy" -> "s0\.npy"/,
  );
  assert.match(warnings, /calibration_size is 1000 but \[.*links\.tar\] holds 2 usable file\(s\)/);
});

Deno.test("oneLine() escapes control characters and clips long quoted values", () => {
  assert.equal(oneLine('node "a\nb"'), 'node "a\\nb"');
  const clipped = oneLine(`value "${"x".repeat(1000)}yz" is bad`);
  assert.match(clipped, /^value "x{70}…\(1002 characters\)…x{28}yz" is bad$/);
});

Deno.test("axb build says permission denied, naming the model and the Deno flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_perm_" });
  try {
    const args = await buildArgs(dir);
    const hidden = join(dir, "hidden");
    await Deno.mkdir(hidden);
    await Deno.copyFile(TINY, join(hidden, "m.onnx"));
    args[args.indexOf(TINY)] = join(hidden, "m.onnx");
    // Read access to the config and the calibration set only, as in the issue.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${join(dir, "config.json")},${join(dir, "calib.tar")}`,
        "--allow-env",
        join(ROOT, "cli.ts"),
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim().split("\n");
    assert.equal(out.code, 2, err.join("\n"));
    assert.match(
      err.at(-1) ?? "",
      /^axb build: error: input: ".*hidden\/m\.onnx" cannot be read: permission denied.*--allow-read/,
    );
    assert.equal([...Deno.readDirSync(dir)].some((e) => e.name === "out"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
