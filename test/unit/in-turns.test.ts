import { describe, expect, it } from 'vitest';
import { inTurns } from '../../src/db/in-turns.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inTurns', () => {
  it('gives each item to the first free worker: one slow item does not hold up the others', async () => {
    const done: string[] = [];
    await inTurns([40, 1, 1, 1], ['a', 'b'], async (ms, worker) => {
      await pause(ms);
      done.push(`${worker}${ms}`);
    });
    // a took the slow one; b did the three others meanwhile.
    expect(done).toEqual(['b1', 'b1', 'b1', 'a40']);
  });

  it('does every item once, with one worker as with several', async () => {
    for (const workers of [['only'], ['a', 'b', 'c']]) {
      const seen: number[] = [];
      await inTurns([1, 2, 3, 4, 5], workers, async (item) => {
        seen.push(item);
      });
      expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('starts nothing after a failure, lets the items in flight finish, then throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = inTurns([1, 2, 3, 4, 5], ['a', 'b'], async (item) => {
      started.push(item);
      if (item === 1) throw new Error('first');
      await pause(20);
      if (item === 2) throw new Error('second');
      finished.push(item);
    });
    await expect(run).rejects.toThrow('first');
    // 1 failed at once; 2 was in flight and ran to its end; nothing after them was started.
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([]);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await inTurns([], ['a'], async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
