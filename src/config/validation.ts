/** Turns TypeBox validation errors into one line that names the field and what it must be. */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The first (most specific) error as "<where>: <field> <problem>". */
export function describeFirstError(schema: TSchema, data: unknown, where: string): string {
  const errors = [...Value.Errors(schema, data)];
  if (errors.length === 0) return `${where}: invalid`;
  // Prefer an error that points at a field (unknown key, wrong type) over the union summary.
  const best = errors.find((e) => e.path !== '' && !e.message.startsWith('Expected union')) ?? errors[0];
  if (!best) return `${where}: invalid`;
  const field = best.path.replace(/^\//, '').replace(/\//g, '.') || '(body)';
  if (best.schema && best.message.startsWith('Unexpected property')) {
    return `${where}: unknown field "${field}"`;
  }
  // A pattern says little to a person; a described one says what the value must be (its first clause).
  const described = best.schema as { pattern?: string; description?: string };
  if (described.pattern && described.description && typeof best.value === 'string') {
    return `${where}: ${field} must be ${described.description.split(';')[0]} (got ${JSON.stringify(best.value)})`;
  }
  return `${where}: ${field} ${best.message.replace(/^Expected/, 'must be')}`;
}
