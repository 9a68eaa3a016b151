import { inline } from '../printable.js';
import type { Hold } from '../../ledger/retention-holds.js';
import { ExitCode } from '../../errors.js';
import type { Output } from '../output.js';
import type pg from 'pg';
import { num, timeText } from '../text.js';

/**
 * The command's `--json` document, its retention times (readings of the data's zone) given as
 * ISO 8601 instants in UTC; see withInstants. Nothing is asked of the server without --json.
 *
 * @example
 * await retentionJson(out, session.client, { ok: true, ...result }, result.timeZone);
 */
export async function retentionJson(
  out: Output,
  client: pg.Client,
  document: Record<string, unknown>,
  zone?: string | null,
): Promise<void> {
  if (!out.flags.json) return;
  const { withInstants } = await import('../../retention/json-instants.js');
  out.json(await withInstants(client, document, zone));
}

/** `; held back 3 (legal hold), 10 (referenced by sync conflicts)`, or nothing. */
export const heldText = (held: Record<string, number>): string =>
  Object.keys(held).length
    ? `; held back ${Object.entries(held)
        .map(([why, count]) => `${num(count)} (${why.replace(/_/g, ' ')})`)
        .join(', ')}`
    : '';

/**
 * The run's exit code: 4 when it left a policy alone (its table holds rows off the calendar; the
 * other policies ran), naming each in one line; else 6 when it stopped at --max-runtime, the
 * scheduler's cue that the next run continues; else 0.
 *
 * @example
 * return finalCode(out, result, 'rows');
 */
export function finalCode(
  out: Output,
  result: { stoppedEarly: boolean; refused: readonly { message: string }[] },
  what: string,
): number {
  if (result.refused.length) {
    const stopped = result.stoppedEarly ? '; it also stopped at --max-runtime' : '';
    out.error(`rasdb: ${result.refused.map((r) => r.message).join('; ')}; the other policies ran${stopped}`);
    return ExitCode.check;
  }
  if (!result.stoppedEarly) return ExitCode.ok;
  out.error(`rasdb: stopped at --max-runtime with ${what} left; the next run continues (exit 6)`);
  return ExitCode.timeLimit;
}

/**
 * One hold in one line, as `hold list` and `retention status` print it.
 *
 * @example
 * describeHold(hold) // 'hold 3 on api_call_logs, 2025-03-01 00:00:00 to no end: "case 17", placed ...'
 */
export function describeHold(h: Hold): string {
  const what = h.ids
    ? `ids ${h.ids.slice(0, SHOWN_IDS).join(',')}${h.ids.length > SHOWN_IDS ? ` and ${num(h.ids.length - SHOWN_IDS)} more` : ''}`
    : `${h.from ? timeText(h.from) : 'the beginning'} to ${h.until ? timeText(h.until) : 'no end'}`;
  const released = h.releasedAt
    ? `; released ${timeText(h.releasedAt)} by ${oneLine(h.releasedBy)}: ${oneLine(h.releaseReason)}`
    : '';
  return `hold ${h.id} on ${h.table}, ${what}: "${oneLine(h.reason)}", placed ${timeText(h.placedAt)} by ${oneLine(h.placedBy)}${released}`;
}

/** Ids a hold's line names before it counts the rest: a hold may name 100,000 rows. */
const SHOWN_IDS = 10;
/** Characters of an operator's text a hold's line shows; --json has every one. */
const SHOWN_CHARACTERS = 200;

// An operator's text may hold line breaks; printed raw, a reason could end the hold's line and
// forge the next one ("rasdb: all clear"), so they are shown escaped, as the ledger keeps them.
// (Every other control character, \r among them, is escaped by `printable` on the way out.) A
// text of a megabyte would flood the terminal: it is cut, before escaping, and says so.
const oneLine = (text: string | null): string => {
  const whole = text ?? '';
  let end = Math.min(whole.length, SHOWN_CHARACTERS);
  // Never half of a surrogate pair.
  if (end < whole.length && /[\uD800-\uDBFF]/.test(whole[end - 1])) end -= 1;
  const cut = whole.length - end;
  const shown = inline(whole.slice(0, end));
  return cut ? `${shown}... (${num(cut)} more characters; --json has it whole)` : shown;
};
