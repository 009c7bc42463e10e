/**
 * Typed errors. Every error a user can cause is an {@linkcode AxbError} with a stable
 * `code` and an exit status: 2 for bad input, 1 for a failed check. The CLI prints
 * `message` alone (no stack) unless `--debug`.
 *
 * Messages say what was found, what was expected and, where it helps, the fix.
 * No trailing period.
 *
 * @module
 */

/** Longest quoted value a message keeps, in characters; longer ones keep head and tail. */
export const MAX_QUOTED_CHARS = 100;
/** Longest message, in characters; a longer one is cut (it is one line, not a report). */
export const MAX_MESSAGE_CHARS = 2000;

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

function escapeControl(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  if (c === "\t") return "\\t";
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Keeps the head and the tail (a path's file name) of a long value, says how long it was. */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const tail = Math.floor(max * 0.3);
  return `${value.slice(0, max - tail)}…(${value.length} characters)…${value.slice(-tail)}`;
}

/** Messages up to this length are never clipped, only escaped. */
const CLIP_ABOVE = 300;

/**
 * `text` made fit for a one-line message: control characters (newlines included) escaped,
 * and, in a message longer than 300 characters, every double-quoted span longer than
 * {@linkcode MAX_QUOTED_CHARS} clipped, then the whole cut to {@linkcode MAX_MESSAGE_CHARS}.
 * Linear in the length of `text`, so a hostile 40 MB value costs one pass.
 */
export function oneLine(text: string): string {
  if (text.length <= CLIP_ABOVE) return text.replace(CONTROL, escapeControl);
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('"', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    const close = text.indexOf('"', open + 1);
    if (close < 0) {
      parts.push(text.slice(i, open + 1), clip(text.slice(open + 1), MAX_QUOTED_CHARS));
      break;
    }
    parts.push(text.slice(i, open + 1), clip(text.slice(open + 1, close), MAX_QUOTED_CHARS), '"');
    i = close + 1;
  }
  const joined = parts.join("").replace(CONTROL, escapeControl);
  return joined.length <= MAX_MESSAGE_CHARS ? joined : `${joined.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/**
 * A value quoted for a message: strings in double quotes with at most `max` characters kept
 * (`"abc…(20000000 characters)…xyz"`), other values as `String(value)` clipped the same way.
 */
export function quoteValue(value: unknown, max = MAX_QUOTED_CHARS): string {
  const text = typeof value === "string" ? value : String(value);
  const clipped = clip(text, max).replace(CONTROL, escapeControl);
  return typeof value === "string" ? `"${clipped}"` : clipped;
}

/**
 * Base class of every error axb raises on purpose. Its message is always one line (see
 * {@linkcode oneLine}): names from a model or values from a config cannot break it.
 */
export class AxbError extends Error {
  /** Stable machine-readable code, e.g. `E_MODEL_FORMAT`. */
  readonly code: string;
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number;
  /** An error with `code`, `message`, exit status `exitCode` (default 2) and an optional cause. */
  constructor(code: string, message: string, exitCode = 2, options?: ErrorOptions) {
    super(oneLine(message), options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A model file that cannot be read or decoded (truncated, not ONNX, bad tensor). */
export class ModelFormatError extends AxbError {
  /** An error with code `E_MODEL_FORMAT`, exit status 2, `message` and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super("E_MODEL_FORMAT", message, 2, options);
  }
}

/** A graph that decodes but is not valid (dangling input, bad shape, cycle). */
export class GraphError extends AxbError {
  /** An error with code `E_GRAPH`, exit status 2, `message` and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super("E_GRAPH", message, 2, options);
  }
}

/** An operator (or an operator variant/attribute) that axb does not implement. */
export class UnsupportedOpError extends AxbError {
  /** Operator type of the node that cannot run. */
  readonly opType: string;
  /** Name of the node that cannot run. */
  readonly nodeName: string;
  /**
   * An `E_UNSUPPORTED_OP` error naming the node and operator; `detail` replaces the default
   * "is not implemented by axb's reference executor" ending.
   */
  constructor(opType: string, nodeName: string, detail?: string) {
    super(
      "E_UNSUPPORTED_OP",
      `Cannot run node "${nodeName}": operator ${opType} ${
        detail ?? "is not implemented by axb's reference executor"
      }`,
    );
    this.opType = opType;
    this.nodeName = nodeName;
  }
}

/** A kernel rejected its inputs or attributes (shape mismatch, bad attribute value). */
export class KernelError extends AxbError {
  /** An error with code `E_KERNEL`, exit status 2, `message` and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super("E_KERNEL", message, 2, options);
  }
}

/** A sequence given elements of different element types (ONNX sequences hold one). */
export class SequenceElementTypeError extends AxbError {
  /** An error with code `E_SEQUENCE_TYPE`, exit status 2 and `message`. */
  constructor(message: string) {
    super("E_SEQUENCE_TYPE", message, 2);
  }
}

/** An empty optional value read as if it held a value. */
export class EmptyOptionalError extends AxbError {
  /** An error with code `E_EMPTY_OPTIONAL`, exit status 2 and `message`. */
  constructor(message: string) {
    super("E_EMPTY_OPTIONAL", message, 2);
  }
}

/** A user-supplied input tensor/file that does not fit the model. */
export class InputDataError extends AxbError {
  /** An error with code `E_INPUT_DATA`, exit status 2, `message` and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super("E_INPUT_DATA", message, 2, options);
  }
}

/** A bad configuration value; `field` is the dotted path (`quant.input_configs[0].tensor_name`). */
export class ConfigError extends AxbError {
  /** Configuration file the bad value came from, when known. */
  readonly file?: string;
  /** Dotted path of the bad field, when known. */
  readonly field?: string;
  /** An `E_CONFIG` error (exit status 2), located by `where.file` and `where.field`. */
  constructor(message: string, where: { file?: string; field?: string } = {}) {
    super("E_CONFIG", message, 2);
    this.file = where.file;
    this.field = where.field;
  }
}

/**
 * An input past a limit axb keeps to bound memory and time: a tensor over the tensor-size
 * limit, an archive that inflates past its cap, a config nested too deep or too large.
 */
export class LimitError extends AxbError {
  /** An error with code `E_LIMIT`, exit status 2, `message` and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super("E_LIMIT", message, 2, options);
  }
}

/** A bad command line (unknown flag, missing required flag, bad value). */
export class UsageError extends AxbError {
  /** An error with code `E_USAGE` and exit status 2. */
  constructor(message: string) {
    super("E_USAGE", message, 2);
  }
}

/** A verification that ran and failed (e.g. compiler.check); exit status 1. */
export class CheckFailedError extends AxbError {
  /** An error with code `E_CHECK_FAILED` and exit status 1. */
  constructor(message: string) {
    super("E_CHECK_FAILED", message, 1);
  }
}

/** A path that exists in the design but is not implemented yet. */
export class NotImplementedError extends AxbError {
  /** An `E_NOT_IMPLEMENTED` error (exit status 2) saying that `what` is not implemented yet. */
  constructor(what: string) {
    super("E_NOT_IMPLEMENTED", `${what} is not implemented yet in axb`, 2);
  }
}
