/**
 * Caffe's text format (`.prototxt`) read against the schema in `caffe_proto.ts`.
 *
 * The syntax tree comes from the project's protobuf text parser (`core/config/prototxt.ts`,
 * which reports `file:line:col`); this module checks it against the Caffe schema the way
 * protobuf's own text parser does (unknown field, wrong value kind, unknown enum value,
 * a non-repeated field given twice: one error each, with the position) and then offers
 * typed getters whose defaults come from the schema, so every default has one source.
 *
 * @module
 */
import type protobuf from "protobufjs";
import { parsePrototxt, type PtField, type PtValue } from "../config/prototxt.ts";
import { AxbError, ModelFormatError } from "../errors/mod.ts";
import { caffeType, type Int64, int64ToNumber } from "./caffe_proto.ts";

/** 1-based line and column in the prototxt. */
export interface TextPos {
  readonly line: number;
  readonly col: number;
}

type Scalar = string | number | boolean;
type Entry = { readonly value: Scalar | TextMessage; readonly at: TextPos };

const NUMERIC = new Set([
  "double",
  "float",
  "int32",
  "uint32",
  "sint32",
  "fixed32",
  "sfixed32",
  "int64",
  "uint64",
  "sint64",
  "fixed64",
  "sfixed64",
]);

/** A message read from text, checked against its schema type. */
export class TextMessage {
  readonly #fields = new Map<string, Entry[]>();

  /** A message of `type` at `at` in `file`; `path` names it in messages (`layer "conv1"`). */
  constructor(
    readonly type: protobuf.Type,
    readonly file: string,
    readonly at: TextPos,
    readonly path: string,
  ) {}

  /** `file:line:col` of field `name` (or of this message when absent). */
  where(name?: string): string {
    const at = (name !== undefined ? this.#fields.get(name)?.[0]?.at : undefined) ?? this.at;
    return `${this.file}:${at.line}:${at.col}`;
  }

  /** True when the text sets field `name`. */
  has(name: string): boolean {
    return this.#fields.has(name);
  }

  /** Number field `name`, or the schema default. */
  num(name: string): number {
    const e = this.#fields.get(name);
    if (e) return this.#number(name, e[0].value);
    return defaultNumber(this.#field(name));
  }

  /** Every value of repeated number field `name` (empty when absent). */
  nums(name: string): number[] {
    return (this.#fields.get(name) ?? []).map((e) => this.#number(name, e.value));
  }

  /** Boolean field `name`, or the schema default. */
  bool(name: string): boolean {
    const e = this.#fields.get(name);
    if (e) return e[0].value === true;
    return this.#field(name).typeDefault === true;
  }

  /** String field `name`, or the schema default. */
  str(name: string): string {
    const e = this.#fields.get(name);
    if (e) return String(e[0].value);
    const d = this.#field(name).typeDefault;
    return typeof d === "string" ? d : "";
  }

  /** Every value of repeated string field `name`. */
  strs(name: string): string[] {
    return (this.#fields.get(name) ?? []).map((e) => String(e.value));
  }

  /** Enum field `name` as its value name (`"MAX"`), or the schema default's name. */
  enumName(name: string): string {
    const f = this.#field(name);
    const e = this.#fields.get(name);
    if (e) return String(e[0].value);
    const en = f.resolvedType as protobuf.Enum;
    return en.valuesById[Number(f.typeDefault)] ?? "";
  }

  /** Sub-message field `name`, or undefined when absent. */
  msg(name: string): TextMessage | undefined {
    const v = this.#fields.get(name)?.[0]?.value;
    return v instanceof TextMessage ? v : undefined;
  }

  /** Every value of repeated message field `name`. */
  msgs(name: string): TextMessage[] {
    return (this.#fields.get(name) ?? []).flatMap((e) =>
      e.value instanceof TextMessage ? [e.value] : []
    );
  }

  /** Names of the fields the text sets, in first-seen order. */
  fieldNames(): string[] {
    return [...this.#fields.keys()];
  }

  /** Record one value (used while reading). */
  add(name: string, value: Scalar | TextMessage, at: TextPos): void {
    const list = this.#fields.get(name);
    if (list) list.push({ value, at });
    else this.#fields.set(name, [{ value, at }]);
  }

  #field(name: string): protobuf.Field {
    const f = this.type.fields[name];
    if (!f) {
      throw new AxbError("E_INTERNAL", `caffe.${this.type.name} has no field ${name}`, 1);
    }
    return f;
  }

  #number(name: string, v: Scalar | TextMessage): number {
    if (typeof v === "number") return v;
    throw new ModelFormatError(`${this.where(name)}: ${this.path}.${name} must be a number`);
  }
}

function defaultNumber(f: protobuf.Field): number {
  const d: unknown = f.typeDefault;
  if (typeof d === "number") return d;
  if (d !== null && typeof d === "object" && "low" in d && "high" in d) {
    return int64ToNumber(d as Int64);
  }
  return 0;
}

/**
 * Parse prototxt text as message `typeName` of package `caffe`.
 *
 * @throws {ModelFormatError} `file:line:col: …` for a syntax error or a schema mismatch
 */
export function readTextMessage(text: string, file: string, typeName: string): TextMessage {
  let fields: PtField[];
  try {
    fields = parsePrototxt(text, file);
  } catch (e) {
    // The shared parser raises ConfigError; a prototxt net is a model file, not a config.
    if (e instanceof AxbError) throw new ModelFormatError(e.message);
    throw e;
  }
  const msg = new TextMessage(caffeType(typeName), file, { line: 1, col: 1 }, "net");
  fillMessage(msg, fields);
  return msg;
}

function fillMessage(msg: TextMessage, fields: readonly PtField[]): void {
  if (msg.type.name === "Unmodeled") return;
  for (const f of fields) {
    const field = msg.type.fields[f.name];
    const where = `${msg.file}:${f.at.line}:${f.at.col}`;
    if (!field) {
      throw new ModelFormatError(
        `${where}: unknown field "${f.name}" in ${msg.path} (caffe.${msg.type.name})`,
      );
    }
    const items = f.value.kind === "list" ? f.value.items : [f.value];
    if (f.value.kind === "list" && !field.repeated) {
      throw new ModelFormatError(`${where}: ${msg.path}.${f.name} is not a repeated field`);
    }
    if (!field.repeated && msg.has(f.name)) {
      throw new ModelFormatError(
        `${where}: ${msg.path}.${f.name} is given more than once but is not a repeated field`,
      );
    }
    for (const item of items) msg.add(f.name, readValue(msg, field, item, where), item.at);
  }
}

function readValue(
  msg: TextMessage,
  field: protobuf.Field,
  v: PtValue,
  where: string,
): Scalar | TextMessage {
  const label = `${msg.path}.${field.name}`;
  const rt = field.resolvedType;
  if (rt && "fields" in rt) {
    if (v.kind !== "message") {
      throw new ModelFormatError(`${where}: ${label} is a message; write ${field.name} { … }`);
    }
    const sub = new TextMessage(rt as protobuf.Type, msg.file, v.at, subPath(msg, field, v));
    fillMessage(sub, v.fields);
    return sub;
  }
  if (v.kind !== "scalar") {
    throw new ModelFormatError(`${where}: ${label} takes a single value, found a message`);
  }
  const value = v.value;
  if (rt && "values" in rt) {
    const en = rt as protobuf.Enum;
    if (typeof value === "number" && en.valuesById[value] !== undefined) {
      return en.valuesById[value];
    }
    if (typeof value === "string" && value in en.values) return value;
    throw new ModelFormatError(
      `${where}: ${label} is ${JSON.stringify(value)}, expected one of ${
        Object.keys(en.values).join(", ")
      }`,
    );
  }
  if (field.type === "bool") {
    if (typeof value === "boolean") return value;
    if (value === 0 || value === 1) return value === 1;
    throw new ModelFormatError(
      `${where}: ${label} is ${JSON.stringify(value)}, expected true or false`,
    );
  }
  if (NUMERIC.has(field.type)) {
    if (typeof value !== "number") {
      throw new ModelFormatError(
        `${where}: ${label} is ${JSON.stringify(value)}, expected a number`,
      );
    }
    if (field.type !== "float" && field.type !== "double" && !Number.isInteger(value)) {
      throw new ModelFormatError(`${where}: ${label} is ${value}, expected an integer`);
    }
    if (field.type.startsWith("uint") && value < 0) {
      throw new ModelFormatError(`${where}: ${label} is ${value}, expected a non-negative integer`);
    }
    return value;
  }
  if (typeof value !== "string") {
    throw new ModelFormatError(`${where}: ${label} is ${value}, expected a quoted string`);
  }
  return value;
}

/** A readable path for messages: `layer "conv1".convolution_param`. */
function subPath(parent: TextMessage, field: protobuf.Field, v: PtValue): string {
  if ((field.name === "layer" || field.name === "layers") && v.kind === "message") {
    const nameField = v.fields.find((f) => f.name === "name");
    if (nameField?.value.kind === "scalar") {
      return `layer "${String(nameField.value.value)}"`;
    }
    return `${field.name} at line ${v.at.line}`;
  }
  return `${parent.path}.${field.name}`;
}
