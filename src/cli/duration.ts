import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses a duration flag such as `500ms`, `5s`, `15min` or `1h` (a bare number means seconds)
 * into milliseconds, refusing negatives, zero where it makes no sense, and anything past `maxMs`.
 *
 * @example
 * parseDuration('--lock-wait', '90s', { maxMs: 86_400_000 }) // 90000
 */
export function parseDuration(flag: string, value: string, limits: { minMs?: number; maxMs: number }): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?$/.exec(value.trim());
  if (!match) throw usageError(`${flag} takes a duration such as 500ms, 30s, 15min or 1h, got "${value}"`);
  const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? 's']);
  const minMs = limits.minMs ?? 0;
  if (ms < minMs || ms > limits.maxMs) {
    throw usageError(`${flag} must be between ${describe(minMs)} and ${describe(limits.maxMs)}, got "${value}"`);
  }
  return ms;
}

function describe(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Parses a whole-number flag within bounds, e.g. `--lock-retries 5`. */
export function parseCount(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(String(value).trim()) || Number(value) < min || Number(value) > max) {
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}
