/**
 * What a recipe is: how to add one node of an operator type to a {@linkcode Draft} with
 * random attributes that are valid for the tensors at hand. A recipe returns false when
 * no tensor of the draft fits it (the generator then tries another operator).
 *
 * @module
 */
import type { Draft, DraftTensor } from "./draft.ts";

/** Adds one node (sometimes a short guarded chain) of its operator type. */
export type Recipe = (d: Draft) => boolean;

/** Element count of a shape. */
export function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** True for a 4-D NCHW tensor. */
export const is4d = (t: DraftTensor): boolean => t.shape.length === 4;

/** Output size of a sliding window (Conv, pooling) along one axis. */
export function windowOut(
  size: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation = 1,
): number {
  return Math.floor((size + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride) + 1;
}
