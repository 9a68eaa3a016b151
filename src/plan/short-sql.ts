/**
 * A statement cut to one line a report can show beside its locks: white space folded, a CREATE
 * TABLE's column list replaced by the tables its foreign keys reference, anything else cut at
 * `max` characters.
 *
 * @example
 * shortSql('create table "a" ("id" serial primary key, "u" uuid references "ingestion_assets" ("asset_uuid"))')
 * // 'create table "a" (…) references ingestion_assets'
 */
export function shortSql(sql: string, max = 100): string {
  const folded = sql.replace(/\s+/g, ' ').trim();
  const table =
    /^(create (?:unlogged |temporary |temp )?table (?:if not exists )?(?:"[^"]+"|[\w.]+)(?:\."[^"]+")?) \(/i.exec(
      folded,
    );
  if (table) {
    const references = [
      ...new Set(
        [...folded.matchAll(/\breferences ((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)/gi)].map((m) =>
          m[1].replace(/"/g, ''),
        ),
      ),
    ];
    const partitioned = /\) partition by (\w+)/i.exec(folded);
    const head = `${table[1]} (…)${partitioned ? ` partition by ${partitioned[1].toLowerCase()}` : ''}`;
    return references.length ? `${head} references ${references.join(', ')}` : head;
  }
  return folded.length <= max ? folded : `${folded.slice(0, max - 1).trimEnd()}…`;
}
