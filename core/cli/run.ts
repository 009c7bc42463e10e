/**
 * `axb run`: execute a model on input files, as `pulsar2 run` does.
 *
 * Inputs are read from `input_dir/<tensor>.bin` (raw, the input's dtype) or `.npy`;
 * outputs are written to `output_dir/<tensor>.bin`. A Horizon `.bin`/`.hbm` reads its inputs
 * in their runtime type (`input_type_rt`: NV12 bytes, uint8 RGB/BGR, float32 featuremap); a
 * packed one (`hb_pack`) runs the model `--model_name` names. With `--list FILE`, each line `X`
 * is one run reading `input_dir/X/` and writing `output_dir/X/`. Every input of every
 * run is read and checked before anything runs, and outputs are written only after all
 * runs succeeded, each file atomically — bad input leaves the output directory untouched.
 *
 * @module
 */
import { join } from "node:path";
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { createLogger } from "../util/log.ts";
import { readModelToRun } from "../container/pack.ts";
import { modelRunner } from "../run/model_runner.ts";
import { readInputs, writeRandomInputs } from "../io/input_files.ts";
import { defaultRegistry } from "../ops/mod.ts";
import type { Tensor } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import { encodeRaw, tensorFileStem } from "../io/raw.ts";
import { StagedFiles } from "../run/staged_files.ts";
import { InputDataError, NotImplementedError, UsageError } from "../errors/mod.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { pulsar2Targets } from "../config/targets.ts";

function flags(targets: TargetRegistry): FlagSpec[] {
  const chips = pulsar2Targets(targets).map((t) => t.name);
  return [
    {
      name: "model",
      type: "string",
      help: "model to run: ONNX, QDQ quant model, compiled axmodel, Horizon .bin/.hbm",
    },
    {
      name: "model_name",
      type: "string",
      default: "",
      help: "the model of a packed Horizon file (hb_pack) to run",
    },
    { name: "input_dir", type: "string", help: "directory holding <tensor>.bin / .npy inputs" },
    { name: "output_dir", type: "string", help: "directory receiving <tensor>.bin outputs" },
    {
      name: "list",
      type: "string",
      default: "",
      help: "file whose lines name sub-directories, one run each",
    },
    {
      name: "random_input",
      type: "bool",
      default: "false",
      help: "generate random inputs into input_dir and use them",
    },
    {
      name: "batch_size",
      type: "int",
      default: "0",
      help: "batch for multi-batch simulation (compiled models)",
    },
    {
      name: "enable_perlayer_output",
      type: "bool",
      default: "false",
      help: "also write every intermediate tensor",
    },
    {
      name: "mode",
      type: "enum",
      values: ["Reference", "NPUBackend"],
      default: "Reference",
      help: "how quantised operators run (QuantAxModel)",
    },
    {
      name: "target_hardware",
      type: "enum",
      values: chips,
      default: chips[0],
      help: "backend for --mode NPUBackend",
    },
    {
      name: "group_index",
      type: "int",
      default: "0",
      help: "input-shape group of a multi-shape compiled model",
    },
    {
      name: "dump_with_stride",
      type: "bool",
      help: "accepted for pulsar2 3.x compatibility; has no effect on ONNX models",
    },
    {
      name: "config",
      type: "string",
      default: "",
      help: "config file (accepted for compatibility)",
    },
    { name: "seed", type: "int", default: "0", help: "seed of --random_input (axb)" },
    { name: "quiet", type: "bool", help: "only warnings and errors on stderr" },
    { name: "json", type: "bool", help: "print a JSON summary of written files on stdout" },
    { name: "debug", type: "bool", help: "print stack traces on errors" },
  ];
}

/** One run's inputs and where its files live. */
interface RunEntry {
  label: string;
  inputDir: string;
  outputDir: string;
  feeds: Map<string, Tensor>;
}

const RUN_USAGE =
  "axb run --model MODEL --input_dir DIR --output_dir DIR [--list FILE] [--random_input]";

/** The `run` subcommand; `--target_hardware` lists the AXera-family targets of `targets`. */
export function runCommand(targets: TargetRegistry): Command {
  const specs = flags(targets);
  return {
    name: "run",
    summary: "run a model on input files (pulsar2 run)",
    usage: RUN_USAGE,
    flags: specs,
    run: (argv, io) => runModels(argv, io, specs),
  };
}

async function runModels(
  argv: readonly string[],
  io: CommandIO,
  specs: readonly FlagSpec[],
): Promise<number> {
  const { values } = parseFlags(argv, specs);
  const log = createLogger({ quiet: values.get("quiet") === true, sink: io.stderr });
  const need = (k: string): string => {
    const v = values.get(k);
    if (typeof v !== "string" || v === "") {
      throw new UsageError(`--${k} is required; usage: ${RUN_USAGE}`);
    }
    return v;
  };
  const modelPath = need("model");
  const inputDir = need("input_dir");
  const outputDir = need("output_dir");
  if (values.get("mode") === "NPUBackend") {
    throw new NotImplementedError("--mode NPUBackend (bit-exact vendor simulator)");
  }
  const batch = Number(values.get("batch_size") ?? 0);
  const model = await readModelToRun(modelPath, String(values.get("model_name") ?? ""));
  const runner = modelRunner(model, defaultRegistry(), `"${modelPath}"`, {
    batch,
    group: Number(values.get("group_index") ?? 0),
    info: log.info,
  });
  if (batch > 0 && runner.kind !== "CompiledAxModel" && runner.kind !== "HorizonModel") {
    log.warn(
      `--batch_size ${batch} applies to compiled models only; running the ${runner.kind} model as is`,
    );
  }
  const labels = await readList(values.get("list"));
  const random = values.get("random_input") === true;
  const seed = Number(values.get("seed") ?? 0);
  const entries: RunEntry[] = [];
  for (const [k, label] of labels.entries()) {
    const inDir = label === "" ? inputDir : join(inputDir, label);
    const outDir = label === "" ? outputDir : join(outputDir, label);
    const feeds = random
      ? await writeRandomInputs(runner.inputs, inDir, seed + k, log.info)
      : await readInputs(runner.inputs, inDir);
    entries.push({
      label: label === "" ? String(k) : label,
      inputDir: inDir,
      outputDir: outDir,
      feeds,
    });
  }
  log.info(`run ${runner.kind} model [${modelPath}]`);
  const perLayer = values.get("enable_perlayer_output") === true;
  const written: { run: string; tensor: string; file: string; dtype: string; shape: number[] }[] =
    [];
  // Each run logs start, NPU runs, writes and finish together; the files stay staged
  // until every run has succeeded.
  const staged = new StagedFiles();
  try {
    for (const e of entries) {
      log.info(`>>> [${e.label}] start`);
      const out = runner.run(e.feeds, perLayer);
      for (const [name, tensor] of out) {
        const path = join(e.outputDir, `${tensorFileStem(name)}.bin`);
        const bytes = encodeRaw(tensor);
        await staged.write(path, bytes);
        log.info(`write [${name}] to [${path}] successfully, size: ${bytes.length}`);
        written.push({
          run: e.label,
          tensor: name,
          file: path,
          dtype: DTYPES[tensor.dtype].label,
          shape: [...tensor.shape],
        });
      }
      log.info(`>>> [${e.label}] finish`);
    }
    await staged.commit();
  } catch (err) {
    await staged.discard();
    if (written.length) log.warn("a run failed: no output file was written");
    throw err;
  }
  if (values.get("json") === true) io.stdout(JSON.stringify({ outputs: written }, null, 2));
  return 0;
}

async function readList(list: unknown): Promise<string[]> {
  if (typeof list !== "string" || list === "") return [""];
  let text: string;
  try {
    text = await Deno.readTextFile(list);
  } catch (e) {
    throw new InputDataError(
      `Cannot read list file "${list}": ${e instanceof Error ? e.message : e}`,
    );
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0) throw new InputDataError(`List file "${list}" names no runs`);
  return lines;
}
