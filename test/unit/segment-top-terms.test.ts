import { describe, expect, it } from 'vitest';
import { loadSql, openDuckDB, queryRows } from '../../lib/runtime/duckdb';

/**
 * "What sets each segment apart" (sql/publish/segment_top_terms.sql) on a hand-made run: lift =
 * share of the segment's users with the term / share of all users with it; a term everyone has
 * (lift 1) or the segment has less often (lift < 1) sets nothing apart and is not listed.
 */
describe('segment top terms', () => {
  it('lists the terms a segment chose more often than the population, with their lift, and nothing else', async () => {
    const database = await openDuckDB(':memory:');
    try {
      const { connection } = database;
      await connection.run('CREATE SCHEMA run');
      await connection.run(`CREATE TABLE run.sequences AS
        SELECT 'u' || i AS user_id,
               [{'item_id': 'shared-item', 'category_code': 'everyone', 'category_id': NULL::VARCHAR, 'brand': CASE WHEN i <= 3 THEN 'only-a' ELSE 'only-b' END},
                {'item_id': CASE WHEN i <= 4 THEN 'mostly-a' ELSE 'rare' END, 'category_code': NULL::VARCHAR, 'category_id': NULL::VARCHAR, 'brand': NULL::VARCHAR}] AS events
        FROM range(1, 7) AS t(i)`);
      await connection.run("CREATE TABLE segments AS SELECT 'u' || i AS user_id, CASE WHEN i <= 3 THEN 0 ELSE 1 END AS segment FROM range(1, 7) AS t(i)");
      const rows = await queryRows(connection, loadSql('publish/segment_top_terms.sql'), { min_users: 1, top: 5 });
      const listed = rows.map((row) => `${row.segment} ${row.kind} ${row.term} ${Number(row.lift).toFixed(3)}`);
      expect(listed).toEqual([
        // shared-item and the category everyone has (lift 1) are not listed either.
        '0 brand only-a 2.000',
        '0 item mostly-a 1.500', // 3 of 3 against 4 of 6
        '1 brand only-b 2.000',
        '1 item rare 2.000', // 2 of 3 against 2 of 6; mostly-a (1 of 3 against 4 of 6, lift 0.5) is not listed
      ]);
    } finally {
      database.close();
    }
  });
});
