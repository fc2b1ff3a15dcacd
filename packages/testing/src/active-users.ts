import pg from 'pg';

/**
 * Active users by the definition in DESIGN §4 (is_active and ≥ `minOrders` non-cancelled orders
 * in the last `days` days), ascending — written apart from the stats package's paged query, so
 * tests check that query against the definition rather than against itself.
 */
export async function activeUsers(url: string, minOrders = 5, days = 30): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tgid: string }>(
      `SELECT u.tgid FROM users u
        WHERE u.is_active
          AND (SELECT count(*) FROM orders o
                WHERE o.user_tgid = u.tgid AND o.status <> 'cancelled'
                  AND o.created_at >= now() - make_interval(days => $1::int)
                  AND o.created_at <= now()) >= $2::int
        ORDER BY u.tgid`,
      [days, minOrders],
    );
    return rows.map((r) => Number(r.tgid));
  } finally {
    await client.end();
  }
}
