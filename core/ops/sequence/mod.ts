/**
 * Sequence and optional operators. They run over {@linkcode Value}s (defined with
 * `defineValueOp`); the control-flow operators that carry such values are in
 * `../control/`.
 *
 * @module
 */
import type { RegisteredOp } from "../op.ts";
import {
  sequenceAt,
  sequenceConstruct,
  sequenceEmpty,
  sequenceErase,
  sequenceInsert,
  sequenceLength,
} from "./sequence.ts";
import { concatFromSequence, splitToSequence } from "./split_concat.ts";
import { sequenceMap } from "./sequence_map.ts";
import { optional, optionalGetElement, optionalHasElement } from "./optional.ts";

/** Every sequence and optional operator, for the registry. */
export const sequenceOps: readonly RegisteredOp[] = [
  sequenceConstruct,
  sequenceEmpty,
  sequenceInsert,
  sequenceErase,
  sequenceAt,
  sequenceLength,
  splitToSequence,
  concatFromSequence,
  sequenceMap,
  optional,
  optionalHasElement,
  optionalGetElement,
];
