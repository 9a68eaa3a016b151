import { describe, expect, it } from 'vitest';
import { registerCleanup, runCleanups } from '../../src/db/cleanup.js';

// The registry belongs to the process; each test releases or runs everything it registers.
describe('registerCleanup', () => {
  it('runs a task once, whether released by its creator, by the clean-up, or both', async () => {
    let runs = 0;
    const release = registerCleanup(() => void runs++);
    await release();
    await release();
    await runCleanups(1_000);
    expect(runs).toBe(1);
  });

  it('runs what is still registered newest first, each after the one before', async () => {
    const order: string[] = [];
    registerCleanup(() => void order.push('folder'));
    registerCleanup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('server');
    });
    registerCleanup(() => void order.push('database'));
    await runCleanups(1_000);
    expect(order).toEqual(['database', 'server', 'folder']);
  });

  it('keeps going past a task that fails', async () => {
    let after = false;
    registerCleanup(() => void (after = true));
    registerCleanup(() => {
      throw new Error('could not drop');
    });
    await runCleanups(1_000);
    expect(after).toBe(true);
  });

  it('stops waiting at the bound for a task that never ends', async () => {
    let after = false;
    registerCleanup(() => void (after = true));
    registerCleanup(() => new Promise<void>(() => undefined));
    await runCleanups(100);
    expect(after).toBe(false); // still behind the one that never ends; the process exits anyway
  });
});
