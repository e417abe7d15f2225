import { InputError } from '@backstage/errors';
import {
  MYSQL_INSTANCE_PHASES,
  MysqlInstanceListQuery,
} from '@mysql-portal/plugin-mysql-common';
import { z } from 'zod';

/** How many items a page holds when the query does not say. */
export const DEFAULT_LIMIT = 100;
/** The most items one page may hold. */
export const MAX_LIMIT = 500;

const wholeNumber = (min: number, max?: number) => {
  let schema = z.number().int().min(min);
  if (max !== undefined) schema = schema.max(max);
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(schema);
};

const listQuery = z
  .object({
    owner: z.string().min(1).optional(),
    cluster: z.string().min(1).optional(),
    phase: z.enum(MYSQL_INSTANCE_PHASES).optional(),
    needsAttention: z
      .enum(['true', 'false'])
      .transform(v => v === 'true')
      .optional(),
    q: z.string().optional(),
    limit: wholeNumber(1, MAX_LIMIT).optional(),
    offset: wholeNumber(0).optional(),
  })
  .strict();

/**
 * The query of `GET /instances`, checked: a parameter we do not know, given
 * twice or out of range is a 400 naming it, so that a misspelt filter
 * (`needs_attention`) is not silently ignored.
 */
export function parseListQuery(query: unknown): MysqlInstanceListQuery {
  const parsed = listQuery.safeParse(query ?? {});
  if (!parsed.success) {
    throw new InputError(
      `Invalid query: ${parsed.error.issues
        .map(issue =>
          issue.code === 'unrecognized_keys'
            ? `unknown parameter ${issue.keys.join(', ')} (known: ${Object.keys(
                listQuery.shape,
              ).join(', ')})`
            : `${issue.path.join('.')}: ${issue.message}`,
        )
        .join('; ')}`,
    );
  }
  return parsed.data;
}
