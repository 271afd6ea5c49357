import type { z } from 'zod';
import { badInput } from '../shared/errors.js';

/** Validates a request part with a zod schema; every issue is reported at once as BAD_USER_INPUT. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw badInput(parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })));
  }
  return parsed.data;
}
