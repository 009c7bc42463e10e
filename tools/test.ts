/**
 * `deno task test`: runs every `*_test.ts` of the project.
 *
 * onnxruntime-node (the peer the cross-check tests compare with) is a native addon that
 * does not survive being loaded by several test modules of one `deno test` process, so
 * each module importing it runs in a process of its own; all other modules run together.
 * Extra arguments are passed to `deno test` (e.g. `--filter NAME`). Ends with the plain
 * line `N passed, M failed, K skipped` and exits non-zero when anything failed.
 *
 * @module
 */
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname ?? ".", "..");
const FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
  "--allow-run",
];
const SKIP = new Set(["node_modules", ".git", ".helpers", "dist"]);

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...testFiles(p));
    else if (e.name.endsWith("_test.ts")) out.push(relative(ROOT, p));
  }
  return out.sort();
}

const files = testFiles(ROOT);
const usesOrt = (f: string) =>
  /from\s+["']onnxruntime-node["']/.test(Deno.readTextFileSync(join(ROOT, f)));
const isolated = files.filter(usesOrt);
const together = files.filter((f) => !isolated.includes(f));
const batches = [together, ...isolated.map((f) => [f])];

let passed = 0;
let failed = 0;
let skipped = 0;
let crashed = 0;
const decoder = new TextDecoder();
for (const batch of batches) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...FLAGS, ...Deno.args, ...batch],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let tail = "";
  for await (const chunk of child.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    await Deno.stdout.write(chunk);
    tail = (tail + text).slice(-4000);
  }
  const status = await child.status;
  // deno's summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (1s)"
  const m = [...tail.matchAll(/\|\s*(\d+) passed[^|]*\|\s*(\d+) failed(?:\s*\|\s*(\d+) ignored)?/g)]
    .pop();
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3] ?? 0);
  }
  if (!status.success && (!m || Number(m[2]) === 0)) crashed++;
}
if (crashed) console.log(`${crashed} test process(es) exited abnormally`);
// ignored tests (e.g. `deno compile` offline) print "skipped: <reason>" and are not passes
console.log(`${passed} passed, ${failed + crashed} failed, ${skipped} skipped`);
Deno.exit(failed + crashed === 0 ? 0 : 1);
