import mysql from 'mysql2';

/** One statement and its parameters. */
export interface ServerQuery {
  sql: string;
  values?: unknown[];
}

/**
 * Connects to a MySQL server, runs `queries` in order and closes the
 * connection: the one place the backend talks to servers. Connecting and
 * every query share one deadline; when it passes, the socket is destroyed
 * (mysql2's own timeouts cover only parts of this, and a server that
 * accepts and then stalls would otherwise keep its session open), so a
 * monitor user's MAX_USER_CONNECTIONS is never used up by leaked sessions.
 */
export async function queryServer(options: {
  host: string;
  port?: number;
  user: string;
  password: string;
  timeoutMs: number;
  queries: ServerQuery[];
}): Promise<unknown[]> {
  const connection = mysql.createConnection({
    host: options.host,
    port: options.port ?? 3306,
    user: options.user,
    password: options.password,
    // The deadline below ends slow connects too, with one clear message.
    connectTimeout: options.timeoutMs + 1000,
    // No prepared statements here; mysql2's default cache of 16,000 per
    // connection cost 590 MiB and most of a 1,000-server poll cycle's
    // CPU in the benchmark.
    maxPreparedStatements: 1,
  });
  // Errors after the deadline (the destroyed socket) are not news.
  connection.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      connection.destroy();
      reject(
        new Error(
          `${options.host} did not answer within ${options.timeoutMs / 1000}s`,
        ),
      );
    }, options.timeoutMs);
  });
  const work = (async () => {
    const results: unknown[] = [];
    for (const query of options.queries) {
      const [rows] = await connection
        .promise()
        .query({ sql: query.sql, values: query.values });
      results.push(rows);
    }
    return results;
  })();
  // Once the deadline won, the work's own failure is expected.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    connection.destroy();
  }
}
