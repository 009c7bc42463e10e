/**
 * The `hb_perf` pages in a real browser. Headless Chromium (Debian's `chromium`, which
 * `.ci/run` installs) loads the pages `axb hb_perf` wrote, from disk and offline; the test
 * takes a screenshot and checks that the page logged nothing to the console (no script
 * error, no resource it failed to load) and that the BIN Model Structure rendered: every box
 * present and laid out by the browser. Without a Chromium the test fails and says how to
 * install one; `AXB_CHROMIUM` may name the binary.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { saveModel } from "../../onnx/save.ts";
import { horizonSampleModel } from "../../container/_horizon_testing.ts";
import { runCli } from "../../cli/_testing.ts";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The Chromium binary: `AXB_CHROMIUM`, else the first candidate on PATH. */
function chromiumBinary(): string {
  const env = Deno.env.get("AXB_CHROMIUM");
  if (env) {
    try {
      if (Deno.statSync(env).isFile) return env;
    } catch {
      // reported below
    }
    throw new Error(`AXB_CHROMIUM names "${env}", which is not a file`);
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of CANDIDATES) {
      try {
        const path = join(dir, name);
        if (Deno.statSync(path).isFile) return path;
      } catch {
        // not in this directory
      }
    }
  }
  throw new Error(
    `headless Chromium not found (looked for ${CANDIDATES.join(", ")} on PATH and AXB_CHROMIUM); ` +
      "install it with `apt-get install -y chromium` (.ci/run does) to run the hb_perf page test",
  );
}

interface BrowserRun {
  readonly stdout: string;
  /** Console messages of the page (`CONSOLE` lines of Chromium's log). */
  readonly console: string[];
}

async function chromium(profile: string, args: string[]): Promise<BrowserRun> {
  const out = await new Deno.Command(chromiumBinary(), {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--enable-logging=stderr",
      "--v=0",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `chromium exited with ${out.code}:\n${stderr.slice(-2000)}`);
  return {
    stdout: new TextDecoder().decode(out.stdout),
    console: stderr.split("\n").filter((l) => /CONSOLE[(:]\d+/.test(l)),
  };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], signature, "not a PNG file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

Deno.test("hb_perf pages render in headless Chromium: screenshot taken, no console message, every structure box laid out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_hb_perf_browser_" });
  const cwd = Deno.cwd();
  try {
    await saveModel(horizonSampleModel({ debug: true }), join(dir, "sample.bin"));
    Deno.chdir(dir);
    const r = await runCli(["hb_perf", "sample.bin"]);
    Deno.chdir(cwd);
    assert.equal(r.code, 0, r.stderr);
    const pageDir = join(dir, "hb_perf_result", "sample");
    const page = `file://${join(pageDir, "sample.html")}`;
    const profile = join(dir, "chromium-profile");

    const shot = join(dir, "sample.png");
    const s = await chromium(profile, [`--screenshot=${shot}`, "--window-size=1200,1400", page]);
    assert.deepEqual(s.console, []);
    assert.deepEqual(pngSize(await Deno.readFile(shot)), [1200, 1400]);

    const dom = await chromium(profile, ["--dump-dom", page]);
    assert.deepEqual(dom.console, []);
    const svg = /<svg [^>]*class="structure"[^>]*>/.exec(dom.stdout)?.[0] ?? "";
    // 1 input, 4 CPU nodes, 2 BPU subgraphs, 1 output, all with a non-empty bounding box
    assert.match(svg, /data-rendered-nodes="8"/);
    assert.equal([...dom.stdout.matchAll(/<g class="node bpu"/g)].length, 2);
    assert.equal([...dom.stdout.matchAll(/<g class="node cpu"/g)].length, 4);
    assert.match(dom.stdout, /Model Performance Summary/);

    const sub = await chromium(profile, [
      "--dump-dom",
      `file://${join(pageDir, "subgraph_npu_0.html")}`,
    ]);
    assert.deepEqual(sub.console, []);
    assert.match(sub.stdout, /<td>npu0_out_conv<\/td><td>Conv\+npu0_out_relu<\/td>/);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
