/**
 * How many bytes a dataset archive may take once decompressed, and how many members it may
 * hold. Archives are decompressed through these caps and refused with a `LimitError` as soon
 * as one is passed, so a 4 MB gzip that inflates to 4 GiB, or a zip whose entries all point
 * at one compressed block, stops after at most a cap's worth of work.
 *
 * For calibration the caps come from what the model can consume
 * ({@linkcode calibrationLimits}): the bytes of one sample of the inputs the archive feeds,
 * times {@linkcode SAMPLE_MARGIN} per file (an image stored larger than the input) and
 * {@linkcode TOTAL_MARGIN} per wanted sample (npy headers, files the format skips), plus
 * fixed floors for small models.
 *
 * @module
 */
import { formatBytes } from "../ir/dtype.ts";
import { LimitError } from "../errors/mod.ts";

/** Caps on one archive (or directory) of dataset files. */
export interface ArchiveLimits {
  /** Most bytes the whole archive may decompress to (and the largest archive file read). */
  readonly maxTotalBytes: number;
  /** Most bytes one member may decompress to. */
  readonly maxMemberBytes: number;
  /** Most members (files, folders, links) the archive may list. */
  readonly maxMembers: number;
  /** Where the caps come from, said in the message when one is passed. */
  readonly reason: string;
}

const MiB = 2 ** 20;

/**
 * Caps when nothing is known about the consumer, and for `calibration_size -1`: low enough
 * that inflating a bomb up to the cap takes a few seconds.
 */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxTotalBytes: 128 * MiB,
  maxMemberBytes: 64 * MiB,
  maxMembers: 100_000,
  reason: "axb's default caps for dataset archives",
};

/** A file may be this many times one sample's tensor bytes. */
export const SAMPLE_MARGIN = 8;
/** The archive may hold this many times the wanted samples' tensor bytes, besides the floor. */
export const TOTAL_MARGIN = 4;
/** Smallest per-file cap: an image may be much larger than a small model's input. */
const MEMBER_FLOOR = 16 * MiB;
/** Room besides the wanted samples: skipped files, other inputs' files, folders. */
const TOTAL_FLOOR = 64 * MiB;
/**
 * Largest total cap whatever the config says (a `calibration_size` of 2^31 must not license a
 * 2 GiB bomb): 512 MiB of samples is thousands of ImageNet-sized inputs.
 */
const TOTAL_CEILING = 512 * MiB;

/**
 * Caps for an archive feeding calibration samples of `sampleBytes` bytes each.
 *
 * @param sampleBytes bytes of one sample of every input the archive feeds
 * @param samples `calibration_size` (-1 = every file, capped as {@linkcode DEFAULT_ARCHIVE_LIMITS})
 * @param what names the inputs for the message (`input "data"`)
 */
export function calibrationLimits(
  sampleBytes: number,
  samples: number,
  what: string,
): ArchiveLimits {
  const perFile = Math.max(MEMBER_FLOOR, SAMPLE_MARGIN * sampleBytes);
  const reason = `${what} takes ${formatBytes(sampleBytes)} per sample`;
  if (samples < 0) {
    return {
      ...DEFAULT_ARCHIVE_LIMITS,
      maxMemberBytes: perFile,
      reason: `${reason}; calibration_size -1 reads every file, up to ${
        formatBytes(DEFAULT_ARCHIVE_LIMITS.maxTotalBytes)
      } in all`,
    };
  }
  const total = Math.min(TOTAL_CEILING, TOTAL_FLOOR + samples * TOTAL_MARGIN * sampleBytes);
  return {
    maxTotalBytes: total,
    maxMemberBytes: Math.min(perFile, total),
    maxMembers: DEFAULT_ARCHIVE_LIMITS.maxMembers,
    reason: `${reason} and calibration_size is ${samples}`,
  };
}

/** The larger of two sets of caps (an archive shared by two inputs serves both). */
export function widerLimits(a: ArchiveLimits, b: ArchiveLimits): ArchiveLimits {
  return {
    maxTotalBytes: Math.max(a.maxTotalBytes, b.maxTotalBytes),
    maxMemberBytes: Math.max(a.maxMemberBytes, b.maxMemberBytes),
    maxMembers: Math.max(a.maxMembers, b.maxMembers),
    reason: `${a.reason}; ${b.reason}`,
  };
}

/** The error for an archive whose decompressed bytes pass the total cap. */
export function totalOverError(archive: string, limits: ArchiveLimits): LimitError {
  return new LimitError(
    `Refusing to read "${archive}": it decompresses to more than ${
      formatBytes(limits.maxTotalBytes)
    }, the most this dataset may take (${limits.reason}); store only the files calibration uses`,
  );
}

/** The error for a member whose decompressed bytes pass the per-member cap. */
export function memberOverError(
  archive: string,
  member: string,
  limits: ArchiveLimits,
): LimitError {
  return new LimitError(
    `Refusing to read "${archive}": member "${member}" decompresses to more than ${
      formatBytes(limits.maxMemberBytes)
    }, the most one dataset file may take (${limits.reason})`,
  );
}

/** The error for an archive listing more members than the cap. */
export function countOverError(archive: string, limits: ArchiveLimits): LimitError {
  return new LimitError(
    `Refusing to read "${archive}": it lists more than ${limits.maxMembers} members, ` +
      `axb's limit for a dataset archive`,
  );
}
