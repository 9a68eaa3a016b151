import { readFileSync } from 'node:fs';

/** A fenced code block of a Markdown file: its language tag, its text, and where it starts. */
export interface CodeBlock {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
}

/**
 * Every fenced block of `file`, in order.
 *
 * @example
 * codeBlocks('docs/retention.md').filter((b) => b.lang === 'cron')
 */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ file, line: start + 1, lang: open[1], text: body.join('\n') + '\n' });
  }
  return blocks;
}
