/**
 * Why a file-system call failed, in words a user can act on. Deno reports two kinds of
 * denial: `NotCapable` when the process was started without the permission flag, and
 * `PermissionDenied` when the operating system refuses (file mode, a folder on the way that
 * cannot be entered). Both must say "permission denied", never "does not exist".
 *
 * @module
 */

/** What the caller tried to do with the path. */
export type FsAccess = "read" | "write";

/** First line of an unknown thrown value's message. */
function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split("\n")[0];
}

/**
 * The reason `path` could not be used, as the end of a sentence that names it:
 * `does not exist`, `cannot be read: permission denied (…)`, `cannot be read (…)`.
 *
 * @param e what the Deno call threw
 * @param path the path it was called on (named in the permission hint)
 * @param access read or write, for the wording and the Deno flag
 */
export function fsFailure(e: unknown, path: string, access: FsAccess = "read"): string {
  const verb = access === "read" ? "cannot be read" : "cannot be written";
  if (e instanceof Deno.errors.NotFound) return "does not exist";
  if (e instanceof Deno.errors.NotCapable) {
    return `${verb}: permission denied, axb runs without ${access} access to "${path}" ` +
      `(start it with --allow-${access}=${path} or --allow-${access})`;
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return `${verb}: permission denied by the operating system (check the permissions of ` +
      `"${path}" and of every folder above it)`;
  }
  return `${verb} (${firstLine(e)})`;
}

/** True when `e` is a denial (missing Deno flag or refused by the operating system). */
export function isPermissionDenial(e: unknown): e is Error {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
}
