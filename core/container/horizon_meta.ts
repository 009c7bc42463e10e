/**
 * The `axb.horizon` metadata entry of a Horizon container (`<prefix>.bin` / `<prefix>.hbm`):
 * which tool and march built it, the effective YAML parameters by group, the conversion
 * environment, the runtime inputs, nodes removed afterwards (`hb_model_modifier`) and the
 * `debug` switch. Canonical JSON, so equal records give equal bytes.
 *
 * @module
 */
import type { CompiledModel } from "../compile/types.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { canonicalJson } from "./_json.ts";

/** Metadata key of the Horizon record. */
export const HORIZON_META_KEY = "axb.horizon";

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** One runtime input as the converted model expects it. */
export interface HorizonMetaInput {
  readonly name: string;
  /** `input_type_rt` (`nv12`, `rgb`, `featuremap`…). */
  readonly type_rt: string;
  /** `input_layout_rt` (NHWC for nv12). */
  readonly layout_rt: string;
  /** Shape of the model input in the training layout. */
  readonly shape: readonly number[];
  readonly norm_type: string;
  readonly mean_value: readonly number[];
  readonly scale_value: readonly number[];
}

/** A node removed from the container after conversion, with its parameters. */
export interface HorizonRemovedNode {
  readonly name: string;
  readonly op_type: string;
  readonly parameters: { readonly [key: string]: JsonValue };
}

/** The `axb.horizon` record. */
export interface HorizonMeta {
  readonly tool: "hb_mapper" | "hb_compile";
  readonly march: string;
  /** The effective YAML parameters, by group (`model_parameters`, …). */
  readonly yaml: { readonly [group: string]: JsonValue };
  readonly environment: {
    readonly axb_version: string;
    readonly model_type: "onnx" | "caffe";
    readonly input_model: string;
  };
  readonly inputs: readonly HorizonMetaInput[];
  readonly removed_nodes: readonly HorizonRemovedNode[];
  readonly debug: boolean;
}

/**
 * The Horizon record of a compiled model, or undefined when it has none.
 *
 * @throws {ModelFormatError} when the entry is not a JSON object of the expected form
 */
export function readHorizonMeta(model: CompiledModel): HorizonMeta | undefined {
  const text = model.metadata?.get(HORIZON_META_KEY);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(
      `Metadata ${HORIZON_META_KEY} is not JSON (${e instanceof Error ? e.message : e})`,
    );
  }
  if (!isHorizonMeta(value)) {
    throw new ModelFormatError(
      `Metadata ${HORIZON_META_KEY} lacks tool, march, yaml, environment, inputs, removed_nodes or debug`,
    );
  }
  return value;
}

/** `model` with its `axb.horizon` entry set to `meta` (other metadata kept). */
export function withHorizonMeta(model: CompiledModel, meta: HorizonMeta): CompiledModel {
  const metadata = new Map(model.metadata ?? []);
  metadata.set(HORIZON_META_KEY, canonicalJson(meta));
  return { ...model, metadata };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isHorizonMeta(v: unknown): v is HorizonMeta {
  return isRecord(v) && (v.tool === "hb_mapper" || v.tool === "hb_compile") &&
    typeof v.march === "string" && isRecord(v.yaml) && isRecord(v.environment) &&
    Array.isArray(v.inputs) && Array.isArray(v.removed_nodes) && typeof v.debug === "boolean";
}
