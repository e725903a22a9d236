// `npm run shoal -- <command>`: runs src/cli/main.ts from a plain-JS bundle, so a command does not
// pay for transpiling TypeScript at run time (tsx costs about half a second per process here, and
// each worker thread inherited it). The bundle is built by esbuild on first use and rebuilt
// whenever one of the source files it was built from changes (their sizes and mtimes are kept
// beside it); npm packages stay external and load from node_modules as usual. Without esbuild,
// or if the build fails, the CLI runs through tsx as before.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'shoal-cli');
const CURRENT = join(CACHE, 'current.json');
/** Bumped when the way the bundle is built changes, so an old cache is not reused. */
const FORMAT = 2;

/** The bundle folder recorded in current.json, when every source it was built from is unchanged. */
function freshBundle() {
  let cur;
  try {
    cur = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return null;
  }
  if (cur.format !== FORMAT || !existsSync(join(cur.dir, 'main.js'))) return null;
  for (const [file, [size, mtimeMs]] of Object.entries(cur.inputs)) {
    let st;
    try {
      st = statSync(join(ROOT, file));
    } catch {
      return null;
    }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
  }
  return cur.dir;
}

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const dir = join(CACHE, `b-${process.pid}-${Date.now()}`);
  const cli = join(ROOT, 'src', 'cli');
  const result = await esbuild.build({
    entryPoints: { main: join(cli, 'main.ts'), 'lf-worker': join(cli, 'apply-worker.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: dir,
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent',
    // The pool finds the prebuilt worker beside it, and TypeScript helpers (a .ts LF module) in the sources.
    define: { __SHOAL_PREBUILT__: JSON.stringify({ worker: 'lf-worker.js', cliSrc: cli }) },
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    if (file.startsWith('<')) continue; // esbuild's own virtual inputs (the define)
    const st = statSync(resolve(ROOT, file));
    inputs[file] = [st.size, st.mtimeMs];
  }
  const tmp = `${CURRENT}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ format: FORMAT, dir, inputs }));
  renameSync(tmp, CURRENT);
  // Older bundles: kept an hour, for a process of another terminal that may still load a chunk of one.
  for (const d of readdirSync(CACHE)) {
    const p = join(CACHE, d);
    if (d.startsWith('b-') && p !== dir && Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
  return dir;
}

let dir = freshBundle();
if (!dir) {
  try {
    dir = await build();
  } catch (e) {
    if (process.env.SHOAL_DEBUG) console.error(e);
    dir = null;
  }
}
if (dir) {
  await import(pathToFileURL(join(dir, 'main.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href);
}
