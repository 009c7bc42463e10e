/**
 * Packed Horizon models (`hb_pack -o out.bin a.bin b.bin …`, spec `horizon.md` §11): several
 * `.bin`/`.hbm` containers in one file, read back by `hb_perf -p`, `hb_model_info -p` and
 * `axb run --model_name`.
 *
 * Format (ours; Horizon's packed byte format is not public): a POSIX tar archive, so `tar tf`
 * lists it. The first member is `axb_pack.json`:
 *
 * ```json
 * { "format": "axb-pack", "version": 1,
 *   "models": [ { "name": "mobilenet", "file": "models/0.bin", "bytes": 123456 }, … ] }
 * ```
 *
 * then one member per model in pack order (`models/<i>.bin`, the container bytes unchanged).
 * `name` is the source file's basename without its extension; names are unique. Member
 * times are 0, so the same inputs give the same bytes.
 *
 * @module
 */
import { basename, extname } from "node:path";
import * as v from "valibot";
import { createTar } from "nanotar";
import type { Model } from "../ir/graph.ts";
import { decodeModel } from "../onnx/load.ts";
import { isTarHeader, readTar } from "../dataset/tar.ts";
import { InputDataError, ModelFormatError, UsageError } from "../errors/mod.ts";

/** Name of the index member. */
export const PACK_INDEX = "axb_pack.json";
/** Value of the index's `format` field. */
export const PACK_FORMAT = "axb-pack";
/** Layout version of the index. */
export const PACK_VERSION = 1;

/** One model of a packed file. */
export interface PackedModel {
  /** Model name: the source file's basename without extension. */
  readonly name: string;
  /** The container bytes, unchanged. */
  readonly bytes: Uint8Array;
}

const IndexSchema = v.object({
  format: v.literal(PACK_FORMAT),
  version: v.literal(PACK_VERSION),
  models: v.array(v.object({ name: v.string(), file: v.string(), bytes: v.number() })),
});

/** The model name hb_pack gives `path`: its basename without the extension. */
export function packedName(path: string): string {
  const base = basename(path);
  return base.slice(0, base.length - extname(base).length) || base;
}

/**
 * Pack models into one file's bytes.
 *
 * @param models the models in pack order
 * @returns the packed file
 * @throws {UsageError} when there are fewer than two models or two share a name
 */
export function packModels(models: readonly PackedModel[]): Uint8Array {
  if (models.length < 2) {
    throw new UsageError(`hb_pack needs at least two models to pack, got ${models.length}`);
  }
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.name)) {
      throw new UsageError(
        `Two models to pack are both named "${m.name}"; rename one file (the name is its basename)`,
      );
    }
    seen.add(m.name);
  }
  const entries = models.map((m, i) => ({ name: m.name, file: `models/${i}.bin`, bytes: m.bytes }));
  const index = {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    models: entries.map((e) => ({ name: e.name, file: e.file, bytes: e.bytes.length })),
  };
  const attrs = { mtime: 0, uid: 0, gid: 0, mode: "644" };
  return createTar([
    { name: PACK_INDEX, data: new TextEncoder().encode(JSON.stringify(index, null, 2)), attrs },
    ...entries.map((e) => ({ name: e.file, data: e.bytes, attrs })),
  ]);
}

/** True when `bytes` look like a packed file (a tar archive), not a single container. */
export function isPackedFile(bytes: Uint8Array): boolean {
  return isTarHeader(bytes, 0);
}

/**
 * The models of a packed file, in pack order.
 *
 * @param bytes the packed file
 * @param what the file, for error text
 * @throws {ModelFormatError} when the file is not an axb packed file or a member is missing
 */
export function unpackModels(bytes: Uint8Array, what: string): PackedModel[] {
  let members;
  try {
    members = readTar(bytes, `"${what}"`);
  } catch (e) {
    if (e instanceof InputDataError) {
      throw new ModelFormatError(`Cannot read packed model: ${e.message}`);
    }
    throw e;
  }
  const byName = new Map(members.map((m) => [m.name, m.data]));
  const indexBytes = byName.get(PACK_INDEX);
  if (!indexBytes) {
    throw new ModelFormatError(
      `"${what}" is not a packed model: it has no ${PACK_INDEX} member (write one with axb hb_pack)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(indexBytes));
  } catch {
    throw new ModelFormatError(`"${what}": ${PACK_INDEX} is not JSON`);
  }
  const r = v.safeParse(IndexSchema, raw);
  if (!r.success) {
    const issue = r.issues[0];
    throw new ModelFormatError(
      `"${what}": ${PACK_INDEX} field ${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`,
    );
  }
  return r.output.models.map((m) => {
    const data = byName.get(m.file);
    if (!data || data.length !== m.bytes) {
      throw new ModelFormatError(
        `"${what}": model "${m.name}" needs member ${m.file} of ${m.bytes} bytes, found ${
          data ? `${data.length} bytes` : "none"
        }`,
      );
    }
    return { name: m.name, bytes: data };
  });
}

/** One model of a file as the Horizon tools read it. */
export interface NamedModel {
  /** The model name (packed: its index name; single: the file's basename without extension). */
  readonly name: string;
  /** The decoded container. */
  readonly model: Model;
}

/**
 * Read a single container, or with `packed` every model of a packed file: the `-p` rule of
 * `hb_perf` and `hb_model_info`.
 *
 * @param path the file
 * @param packed true when `-p` was given
 * @returns the models, in file order
 * @throws {UsageError} when `-p` does not match the file's kind
 * @throws {ModelFormatError} when the file cannot be read or decoded
 */
export async function readHorizonModels(path: string, packed: boolean): Promise<NamedModel[]> {
  const bytes = await readModelBytes(path);
  const isPacked = isPackedFile(bytes);
  if (isPacked && !packed) {
    throw new UsageError(`"${path}" is a packed model; add -p to read it`);
  }
  if (!isPacked && packed) {
    throw new UsageError(`"${path}" is a single model, not a packed one; drop -p`);
  }
  if (!packed) return [{ name: packedName(path), model: decodeModel(bytes, { path }) }];
  return unpackModels(bytes, path).map((m) => ({
    name: m.name,
    model: decodeModel(m.bytes, { path: `${path}:${m.name}` }),
  }));
}

/** The bytes of the model file `path`, as a named error when it cannot be read. */
async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new ModelFormatError(
      `Cannot read model "${path}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * The model `axb run` runs from `path`: the file itself, or with `name` one model of a
 * packed file.
 *
 * @param path an ONNX model, a container, or a packed file
 * @param name the model of a packed file (`--model_name`); undefined or "" for single files
 * @throws {UsageError} when a packed file gets no or an unknown name, or a single file a name
 * @throws {ModelFormatError} when the file cannot be read or decoded
 */
export async function readModelToRun(path: string, name: string | undefined): Promise<Model> {
  const bytes = await readModelBytes(path);
  if (!isPackedFile(bytes)) {
    if (name) {
      throw new UsageError(
        `--model_name applies to packed models (hb_pack); "${path}" is one model`,
      );
    }
    return decodeModel(bytes, { path });
  }
  const models = unpackModels(bytes, path);
  const names = models.map((m) => m.name).join(", ");
  if (!name) {
    throw new UsageError(
      `"${path}" is a packed model holding ${names}; choose one with --model_name`,
    );
  }
  const hit = models.find((m) => m.name === name);
  if (!hit) {
    throw new UsageError(`--model_name "${name}" is not in "${path}"; it holds ${names}`);
  }
  return decodeModel(hit.bytes, { path: `${path}:${name}` });
}
