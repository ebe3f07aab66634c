/**
 * Bundles the page (`page/main.ts`, the SDK from `src/sdk` and ethers) for the browser with esbuild,
 * in memory: the runner serves the result, the screenshot script and the test measure it. A Node
 * built-in anywhere in the graph fails the build (platform `browser` cannot resolve one).
 */
import { gzipSync } from "node:zlib";
import { join } from "node:path";

import { build } from "esbuild";

/** The page's directory: `index.html`, `style.css`, `main.ts`. */
export const PAGE_DIR = join(__dirname, "page");

/** The bundled page script and its sizes. */
export interface PageBundle {
  readonly js: string;
  /** Bytes of `js`, and of `js` gzipped (level 9). */
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds `page/main.ts` into one ES module (minified unless `minify` is false). */
export async function bundlePage(opts: { readonly minify?: boolean } = {}): Promise<PageBundle> {
  const minify = opts.minify ?? true;
  const result = await build({
    entryPoints: [join(PAGE_DIR, "main.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify,
    sourcemap: minify ? false : "inline",
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  const js = result.outputFiles[0]!.text;
  const bytes = Buffer.byteLength(js);
  return { js, bytes, gzipBytes: gzipSync(js, { level: 9 }).length };
}
