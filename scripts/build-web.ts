// Builds the web app (web/ → web/dist) with Vite when the build is missing or older than its sources.
// Quick when up to date; safe when several processes (npm start, test files) ask at once: one builds
// under a lock directory, the others wait for it and then find the build fresh.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WEB = path.join(ROOT, 'web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const LOCK = path.join(WEB, '.build-lock');
/** A lock older than this is from a build that died. */
const STALE_LOCK_MS = 5 * 60_000;
/** Files outside web/src that change the output. */
const INPUTS = ['index.html', 'vite.config.ts', 'tsconfig.json', 'src', 'public'].map((p) => path.join(WEB, p));

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((max, f) => Math.max(max, newestMtime(path.join(p, f))), st.mtimeMs);
}

/** True when web/dist was built after the last change to any of its sources. */
export function webBuildIsFresh(): boolean {
  if (!fs.existsSync(STAMP) || !fs.existsSync(path.join(DIST, 'index.html'))) return false;
  return fs.statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map(newestMtime));
}

function tryLock(): boolean {
  try {
    fs.mkdirSync(LOCK);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs;
    if (age > STALE_LOCK_MS) fs.rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/**
 * `vite build` in a child process with NODE_ENV=production: the caller may be a test run (NODE_ENV=test),
 * which would otherwise get React's development build and JSX runtime.
 */
function viteBuild(): Promise<void> {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', WEB, '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code})`))));
  });
}

/** Writes .br and .gz next to each text asset: the server sends them as they are (no compression per request). */
function precompress(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) precompress(file);
    else if (/\.(js|css|html|svg|json)$/.test(entry.name)) {
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
      fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
    }
  }
}

/** Builds web/dist unless fresh; resolves once a fresh build is in place. */
export async function ensureWebBuild(log: (line: string) => void = () => undefined): Promise<void> {
  for (;;) {
    if (webBuildIsFresh()) return;
    if (tryLock()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    if (webBuildIsFresh()) return;
    const started = Date.now();
    log('building the web app (web/ → web/dist)…');
    await viteBuild();
    precompress(DIST);
    fs.writeFileSync(STAMP, new Date().toISOString());
    log(`web app built in ${Date.now() - started} ms`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureWebBuild((line) => console.log(line));
}
