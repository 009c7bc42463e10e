/**
 * Fuzz cases: how case `index` of a kind is made from the run seed, how it runs, and how a
 * case is stored as a reproducer (the input file plus a JSON sidecar saying how to replay it).
 *
 * @module
 */
import { join } from "node:path";
import type { OpRegistry } from "../ops/op.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import type { DataFormat } from "../config/build_config.ts";
import type { ConfigFormat } from "../config/load.ts";
import type { DType } from "../ir/dtype.ts";
import { caseSeed, Rng } from "./rng.ts";
import type { Corpus } from "./corpus.ts";
import { mutateModel } from "./model_mutants.ts";
import { mutateConfig } from "./config_mutants.ts";
import { mutateArchive } from "./archive_mutants.ts";
import {
  type ArchiveCase,
  classify,
  type ConfigCase,
  runArchiveCase,
  runConfigCase,
  runModelCase,
  type Verdict,
} from "./targets.ts";

/** The three kinds of input the fuzzer mutates. */
export type CaseKind = "model" | "config" | "archive";

/** Every kind, in report order. */
export const CASE_KINDS: readonly CaseKind[] = ["model", "config", "archive"];

/** One case, ready to run. */
export type FuzzCase =
  | { readonly kind: "model"; readonly bytes: Uint8Array }
  | { readonly kind: "config"; readonly config: ConfigCase }
  | { readonly kind: "archive"; readonly archive: ArchiveCase };

/** A case and what was done to its seed. */
export interface MadeCase {
  case: FuzzCase;
  note: string;
}

/** Make case `index` of `kind` for run seed `seed`. */
export function makeCase(kind: CaseKind, index: number, seed: number, corpus: Corpus): MadeCase {
  const rng = new Rng(caseSeed(seed, kind, index));
  if (kind === "model") {
    const s = rng.pick(corpus.models);
    const m = mutateModel(s.bytes, rng);
    return { case: { kind, bytes: m.bytes }, note: `${s.name}: ${m.note}` };
  }
  if (kind === "config") {
    const m = mutateConfig(rng.pick(corpus.configs), rng);
    const { note, ...config } = m;
    return { case: { kind, config }, note: `${config.name}: ${note}` };
  }
  const { note, ...archive } = mutateArchive(rng);
  return { case: { kind, archive }, note };
}

/**
 * Run one case in this thread and classify how it ended (never throws).
 *
 * @param registries the operators and targets cases run against
 * @param workDir an empty scratch folder (archive cases write there)
 */
export async function runCase(
  c: FuzzCase,
  registries: { readonly ops: OpRegistry; readonly targets: TargetRegistry },
  workDir: string,
): Promise<Verdict> {
  try {
    if (c.kind === "model") runModelCase(c.bytes, registries.ops);
    else if (c.kind === "config") await runConfigCase(c.config, registries.targets);
    else await runArchiveCase(c.archive, workDir);
    return { outcome: "ok" };
  } catch (e) {
    return classify(e);
  }
}

/** The JSON sidecar of a stored case. */
export interface CaseRecord {
  kind: CaseKind;
  /** The input file, beside the sidecar. */
  file: string;
  note: string;
  seed: number;
  index: number;
  /** How the case ended when it was found. */
  found: Verdict;
  /** Config cases: syntax and flavour. */
  format?: ConfigFormat | DataFormat;
  horizon?: boolean;
  /** Archive cases: the input it calibrates and calibration_size. */
  size?: number;
  dtype?: DType;
  shape?: number[];
}

/** Store a case as `<dir>/<stem>.<ext>` plus `<stem>.json`; returns the sidecar path. */
export async function saveCase(
  dir: string,
  made: MadeCase,
  meta: { seed: number; index: number; found: Verdict },
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const c = made.case;
  const stem = `${c.kind}-${meta.seed}-${meta.index}`;
  let file: string;
  let bytes: Uint8Array;
  const record: Omit<CaseRecord, "file"> = { kind: c.kind, note: made.note, ...meta };
  if (c.kind === "model") {
    file = `${stem}.onnx`;
    bytes = c.bytes;
  } else if (c.kind === "config") {
    file = `${stem}-${c.config.name}`;
    bytes = new TextEncoder().encode(c.config.text);
    Object.assign(record, { format: c.config.format, horizon: c.config.horizon });
  } else {
    const a = c.archive;
    file = `${stem}-${a.name}`;
    bytes = a.bytes;
    Object.assign(record, { format: a.format, size: a.size, dtype: a.dtype, shape: a.shape });
  }
  await Deno.writeFile(join(dir, file), bytes);
  const sidecar = join(dir, `${stem}.json`);
  await Deno.writeTextFile(sidecar, JSON.stringify({ ...record, file }, null, 2) + "\n");
  return sidecar;
}

/** Read a stored case back from its sidecar. */
export async function loadCase(sidecar: string): Promise<{ record: CaseRecord; case: FuzzCase }> {
  const record: CaseRecord = JSON.parse(await Deno.readTextFile(sidecar));
  const dir = sidecar.slice(0, sidecar.lastIndexOf("/"));
  const bytes = await Deno.readFile(join(dir, record.file));
  if (record.kind === "model") return { record, case: { kind: "model", bytes } };
  if (record.kind === "config") {
    const name = record.file.replace(/^config-\d+-\d+-/, "");
    return {
      record,
      case: {
        kind: "config",
        config: {
          name,
          text: new TextDecoder().decode(bytes),
          format: record.format as ConfigFormat,
          horizon: record.horizon ?? false,
        },
      },
    };
  }
  return {
    record,
    case: {
      kind: "archive",
      archive: {
        name: record.file.replace(/^archive-\d+-\d+-/, ""),
        bytes,
        format: record.format as DataFormat,
        size: record.size ?? 1,
        dtype: record.dtype ?? "f32",
        shape: record.shape ?? [],
      },
    },
  };
}
