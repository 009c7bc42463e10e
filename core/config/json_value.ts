/**
 * The free-form JSON value of `google.protobuf.Struct` fields (`attrs`, `properties`).
 *
 * @module
 */

/** A `google.protobuf.Struct` value (free-form JSON). */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};
