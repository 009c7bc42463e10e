/**
 * Entry points of the Caffe front-end: prototxt + caffemodel → IR model.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { convertCaffeNet } from "./convert.ts";
import { parseCaffeNet } from "./net.ts";
import { decodeCaffeWeights } from "./weights.ts";

/** Options of {@linkcode loadCaffeModel} and {@linkcode decodeCaffeModel}. */
export interface CaffeLoadOptions {
  /**
   * Input shapes by input blob name, replacing the prototxt's (what `--input-shape` of
   * hb_mapper gives). Every dimension must be a positive integer.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Operator registry for shape inference (default: the built-in operators). */
  readonly registry?: OpRegistry;
}

/** What {@linkcode decodeCaffeModel} reads. */
export interface CaffeSource {
  /** The prototxt text. */
  readonly prototxt: string;
  /** The caffemodel bytes. */
  readonly caffemodel: Uint8Array;
  /** Prototxt path or label for messages (default `net.prototxt`). */
  readonly prototxtName?: string;
  /** Caffemodel path or label for messages (default `net.caffemodel`). */
  readonly caffemodelName?: string;
}

/**
 * Convert a Caffe net held in memory.
 *
 * @param source prototxt text, caffemodel bytes and their names for messages
 * @param opts input shape overrides and the operator registry
 * @returns the model as IR (opset 13; SSD DetectionOutput in domain `ai.axb.caffe`)
 * @throws {ModelFormatError} one line naming the file, the line and column or the layer:
 *   a prototxt syntax error, a truncated caffemodel, a layer without weights, a blob count
 *   or shape mismatch, or an unknown layer type (`Not support layer name=… type=…`)
 * @throws {UnsupportedOpError} for a supported layer type in a variant axb cannot convert
 */
export function decodeCaffeModel(source: CaffeSource, opts: CaffeLoadOptions = {}): Model {
  const prototxtName = source.prototxtName ?? "net.prototxt";
  const caffemodelName = source.caffemodelName ?? "net.caffemodel";
  const net = parseCaffeNet(source.prototxt, prototxtName);
  const weights = decodeCaffeWeights(source.caffemodel, caffemodelName);
  return convertCaffeNet(net, weights, {
    registry: opts.registry ?? defaultRegistry(),
    weightsFile: caffemodelName,
    inputShapes: opts.inputShapes,
  });
}

/**
 * Read and convert a Caffe net: a `.prototxt` (deploy description) and a `.caffemodel`
 * (trained blobs, matched to layers by name).
 *
 * @param prototxtPath the prototxt file
 * @param caffemodelPath the caffemodel file
 * @param opts input shape overrides and the operator registry
 * @returns the model as IR
 * @throws {ModelFormatError} when a file cannot be read, or as {@linkcode decodeCaffeModel}
 * @throws {UnsupportedOpError} as {@linkcode decodeCaffeModel}
 */
export async function loadCaffeModel(
  prototxtPath: string,
  caffemodelPath: string,
  opts: CaffeLoadOptions = {},
): Promise<Model> {
  const read = async <T>(path: string, what: string, f: (p: string) => Promise<T>) => {
    try {
      return await f(path);
    } catch (e) {
      throw new ModelFormatError(
        `Cannot read ${what} "${path}": ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  };
  const prototxt = await read(prototxtPath, "prototxt", Deno.readTextFile);
  const caffemodel = await read(caffemodelPath, "caffemodel", Deno.readFile);
  return decodeCaffeModel(
    { prototxt, caffemodel, prototxtName: prototxtPath, caffemodelName: caffemodelPath },
    opts,
  );
}
