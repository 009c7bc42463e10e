/**
 * Operators of the `ai.axb.caffe` domain: Caffe layers that the Caffe front-end cannot
 * write as standard ONNX operators. They run on the CPU.
 *
 * @module
 */
import type { RegisteredOp } from "../op.ts";
import { detectionOutput } from "./detection_output.ts";

export { CAFFE_DOMAIN } from "./detection_output.ts";

/** Every operator of this group, for the registry. */
export const caffeOps: RegisteredOp[] = [detectionOutput];
