// Builds the widget: src/index.js and what it imports, bundled into one
// minified script (an IIFE: it runs from a plain <script async> tag on any
// page and leaves only window.CarBotWidget behind), plus a gzip copy.
//
//   node build.mjs OUTDIR      writes OUTDIR/widget.js and OUTDIR/widget.js.gz
//
// Fails when the gzipped size passes BUDGET: being tiny is the point.

import * as esbuild from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const BUDGET = 12 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[2] || join(here, '..', 'build', 'widget'));

// CSS is imported as a minified string and put into the shadow root's <style>.
const cssAsText = {
  name: 'css-as-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const out = await esbuild.transform(source, { loader: 'css', minify: true, target: ['chrome80', 'firefox78', 'safari13'] });
      return { contents: out.code.trim(), loader: 'text' };
    });
  },
};

const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'index.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2018'],
  charset: 'utf8',
  legalComments: 'none',
  // The whole file is one classic script of its own, so a file-level
  // directive makes all of it strict.
  banner: { js: '"use strict";' },
  plugins: [cssAsText],
  write: false,
  logLevel: 'warning',
});

const js = Buffer.from(result.outputFiles[0].contents);
const gz = gzipSync(js, { level: constants.Z_BEST_COMPRESSION });

// Written beside and renamed over, so a running carbotd never serves half a file.
async function put(name, data) {
  const tmp = join(outDir, `.${name}.${process.pid}`);
  await writeFile(tmp, data);
  await rename(tmp, join(outDir, name));
}
await mkdir(outDir, { recursive: true });
await put('widget.js', js);
await put('widget.js.gz', gz);

console.log(`widget: ${join(outDir, 'widget.js')} ${js.length} bytes, ${gz.length} gzipped (budget ${BUDGET})`);
if (gz.length > BUDGET) {
  console.error(`widget: over budget by ${gz.length - BUDGET} bytes gzipped`);
  process.exit(1);
}
