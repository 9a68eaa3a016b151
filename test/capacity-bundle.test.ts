import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../dist/bundle', import.meta.url));

/** Every bundle file `entry` loads before running: its static imports, followed, not its import() calls. */
function staticallyLoaded(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(BUNDLE, file), 'utf8');
    for (const match of text.matchAll(
      /(?:^|[;\s}])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']\.\/([^"']+\.mjs)["']/g,
    ))
      visit(match[1]);
  };
  visit(entry);
  return seen;
}

describe('the chart library in the bundle', () => {
  it('is loaded only by --chart: not by rasdb --help, nor by a report without a chart', () => {
    const files = readdirSync(BUNDLE);
    const drawing = files.filter((f) => readFileSync(join(BUNDLE, f), 'utf8').includes('.toSVG('));
    expect(drawing.length).toBeGreaterThan(0);
    // The walk does follow static imports: Vega's own entry loads the scene graph.
    const vega = files.find((f) => /^vega\.module-[A-Z0-9]+\.mjs$/.test(f)) ?? 'missing';
    expect(
      [...staticallyLoaded(vega)].some((f) => readFileSync(join(BUNDLE, f), 'utf8').includes('vega-scenegraph')),
    ).toBe(true);
    expect(staticallyLoaded('rasdb.mjs').size).toBeGreaterThan(5);
    const report = files.filter((f) => /^capacity(-render)?-[A-Z0-9]+\.mjs$/.test(f));
    expect(report).toHaveLength(2);
    for (const entry of ['rasdb.mjs', ...report]) {
      const loaded = staticallyLoaded(entry);
      expect(
        [...loaded].filter((f) => drawing.includes(f)),
        entry,
      ).toEqual([]);
      expect(
        [...loaded].some((f) => readFileSync(join(BUNDLE, f), 'utf8').includes('vega-scenegraph')),
        entry,
      ).toBe(false);
    }
  });
});
