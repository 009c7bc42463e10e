/**
 * The `axb.horizon` metadata entry of a Horizon container (`<prefix>.bin` from
 * `hb_mapper makertbin`, `<prefix>.hbm` from `hb_compile`). The container itself is encoded
 * exactly like `compiled.axmodel` (target = the march); this entry adds what the Horizon
 * tools show and need: the converting tool, the effective YAML parameters by group, the
 * conversion environment, each input's runtime type, the nodes `hb_model_modifier` removed
 * and whether the model was compiled with `debug: True`. The value is canonical JSON:
 *
 * ```json
 * { "tool": "hb_mapper", "march": "bernoulli2", "yaml": { "model_parameters": { … }, … },
 *   "environment": { "axb_version": "0.1.0", "model_type": "onnx", "input_model": "m.onnx" },
 *   "inputs": [ { "name": "data", "type_rt": "nv12", "layout_rt": "NHWC",
 *                 "shape": [1, 3, 224, 224], "norm_type": "data_mean_and_scale",
 *                 "mean_value": [123.68, 116.78, 103.94], "scale_value": [0.017] } ],
 *   "removed_nodes": [], "debug": false }
 * ```
 *
 * @module
 */
import * as v from "valibot";
import type { Model } from "../ir/graph.ts";
import type { CompiledModel } from "../compile/types.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { canonicalJson } from "./_json.ts";
import type { JsonValue } from "../config/json_value.ts";

/** Metadata key of the Horizon entry. */
export const HORIZON_META_KEY = "axb.horizon";

/** The tool that converted the model. */
export type HorizonMetaTool = "hb_mapper" | "hb_compile";

/** One model input as the deployed model receives it. */
export interface HorizonInputMeta {
  /** Input tensor name. */
  readonly name: string;
  /** `input_type_rt`: `nv12`, `yuv444`, `rgb`, `bgr`, `gray` or `featuremap`. */
  readonly type_rt: string;
  /** `input_layout_rt`: `NHWC` or `NCHW` (as the YAML gives it; may be empty). */
  readonly layout_rt: string;
  /** `input_shape` of the YAML (training layout). */
  readonly shape: readonly number[];
  /** `norm_type`: `no_preprocess`, `data_mean`, `data_scale`, `data_mean_and_scale`. */
  readonly norm_type: string;
  /** `mean_value` per channel (empty when not used). */
  readonly mean_value: readonly number[];
  /** `scale_value` per channel, a multiplier (empty when not used). */
  readonly scale_value: readonly number[];
}

/** Where the conversion ran and on what. */
export interface HorizonEnvironment {
  /** axb version that converted the model. */
  readonly axb_version: string;
  /** `--model-type` of the conversion. */
  readonly model_type: "onnx" | "caffe";
  /** Basename of the float model converted. */
  readonly input_model: string;
}

/** A node `hb_model_modifier` removed, with the parameters it held. */
export interface RemovedNode {
  /** Node name as it was in the container. */
  readonly name: string;
  /** ONNX operator type. */
  readonly op_type: string;
  /** The node's attributes and constant inputs (scale, zero point, perm, mean…). */
  readonly parameters: { readonly [key: string]: JsonValue };
}

/** The `axb.horizon` metadata entry. */
export interface HorizonMeta {
  /** The converting tool. */
  readonly tool: HorizonMetaTool;
  /** The YAML `march` (`bernoulli2`, `nash-e`, …). */
  readonly march: string;
  /** The effective YAML parameters, by group (`model_parameters`, `input_parameters`, …). */
  readonly yaml: { readonly [group: string]: JsonValue };
  /** Conversion environment. */
  readonly environment: HorizonEnvironment;
  /** Inputs as the deployed model receives them, in graph order. */
  readonly inputs: readonly HorizonInputMeta[];
  /** Nodes removed by `hb_model_modifier`, in removal order. */
  readonly removed_nodes: readonly RemovedNode[];
  /** Compiled with `debug: True` (hb_perf shows layer details). */
  readonly debug: boolean;
}

const Json: v.GenericSchema<JsonValue> = v.lazy(() =>
  v.union([
    v.null(),
    v.boolean(),
    v.number(),
    v.string(),
    v.array(Json),
    v.record(v.string(), Json),
  ])
);

const InputSchema = v.object({
  name: v.string(),
  type_rt: v.string(),
  layout_rt: v.string(),
  shape: v.array(v.number()),
  norm_type: v.string(),
  mean_value: v.array(v.number()),
  scale_value: v.array(v.number()),
});

const MetaSchema = v.object({
  tool: v.picklist(["hb_mapper", "hb_compile"]),
  march: v.string(),
  yaml: v.record(v.string(), Json),
  environment: v.object({
    axb_version: v.string(),
    model_type: v.picklist(["onnx", "caffe"]),
    input_model: v.string(),
  }),
  inputs: v.array(InputSchema),
  removed_nodes: v.array(v.object({
    name: v.string(),
    op_type: v.string(),
    parameters: v.record(v.string(), Json),
  })),
  debug: v.boolean(),
});

/** Anything that carries model metadata: a loaded container or a compiled model. */
export type MetadataSource =
  | { readonly metadataProps: ReadonlyMap<string, string> }
  | { readonly metadata?: ReadonlyMap<string, string> };

function metadataOf(source: MetadataSource): ReadonlyMap<string, string> | undefined {
  return "metadataProps" in source ? source.metadataProps : source.metadata;
}

/**
 * Parse the text of an `axb.horizon` entry.
 *
 * @param text the JSON text
 * @param what the file, for error text
 * @returns the typed entry
 * @throws {ModelFormatError} when the text is not JSON or misses or mistypes a field
 */
export function parseHorizonMeta(text: string, what: string): HorizonMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(
      `Cannot read ${HORIZON_META_KEY} of "${what}": not JSON (${
        e instanceof Error ? e.message : e
      })`,
    );
  }
  const r = v.safeParse(MetaSchema, raw);
  if (!r.success) {
    const issue = r.issues[0];
    const path = v.getDotPath(issue) ?? "(root)";
    throw new ModelFormatError(
      `Cannot read ${HORIZON_META_KEY} of "${what}": field ${path}: ${issue.message}`,
    );
  }
  return r.output;
}

/**
 * The Horizon entry of a container, when it has one.
 *
 * @param source a loaded container (`metadataProps`) or a compiled model (`metadata`)
 * @param what the file, for error text
 * @returns the entry, or undefined when the model carries none
 * @throws {ModelFormatError} when the entry is malformed
 */
export function readHorizonMeta(
  source: MetadataSource,
  what = "model",
): HorizonMeta | undefined {
  const text = metadataOf(source)?.get(HORIZON_META_KEY);
  return text === undefined ? undefined : parseHorizonMeta(text, what);
}

/**
 * The Horizon entry of a container that must have one.
 *
 * @throws {ModelFormatError} when the model has no entry (not converted by hb_mapper or
 * hb_compile) or the entry is malformed
 */
export function requireHorizonMeta(source: MetadataSource, what: string): HorizonMeta {
  const meta = readHorizonMeta(source, what);
  if (!meta) {
    throw new ModelFormatError(
      `"${what}" is not a Horizon model: it has no ${HORIZON_META_KEY} metadata; convert the ` +
        `float model with axb hb_mapper makertbin or axb hb_compile`,
    );
  }
  return meta;
}

/**
 * `model` with its `axb.horizon` entry set to `meta` (canonical JSON); the input model is
 * not modified.
 *
 * @param model a container model (as `encodeCompiledModel` returns or `loadModel` reads)
 * @param meta the entry
 * @returns a new model sharing everything but the metadata map
 */
export function withHorizonMeta(model: Model, meta: HorizonMeta): Model {
  const metadataProps = new Map(model.metadataProps);
  metadataProps.set(HORIZON_META_KEY, canonicalJson(meta));
  return { ...model, metadataProps };
}

/**
 * `model` (a compiled model before encoding) with its `axb.horizon` entry set to `meta`;
 * `encodeCompiledModel` writes it with the other metadata.
 *
 * @param model the compiled model
 * @param meta the entry
 * @returns a new compiled model sharing everything but the metadata map
 */
export function withCompiledHorizonMeta(model: CompiledModel, meta: HorizonMeta): CompiledModel {
  const metadata = new Map(model.metadata ?? []);
  metadata.set(HORIZON_META_KEY, canonicalJson(meta));
  return { ...model, metadata };
}
