/**
 * Reference values of the error function for the tests, from Abramowitz & Stegun's tables
 * (7.1, 15+ digits): `[x, erf(x)]`.
 */
export const ERF_TABLE: readonly (readonly [number, number])[] = [
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [3, 0.9999779095030014],
];
