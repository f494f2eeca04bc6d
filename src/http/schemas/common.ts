/**
 * Shared primitives for the HTTP schemas: the one error shape, the stats block, timestamps,
 * and strict integer querystring parameters. Every object is closed.
 */
import { type Static, type TSchema, type TString, Type } from '@sinclair/typebox';
import { CATEGORY_LIST, type CategoryDescriptor } from '../../domain/categories/index.js';
import type { Category, StatKey } from '../../domain/types.js';

/*
 * Response schemas avoid `anyOf`: fast-json-stringify picks an anyOf branch by running Ajv on
 * the value at every serialisation, which made /status ~30% slower than a bare route. A string
 * enum and a `type: [T, "null"]` describe the same values and serialise with a type check.
 */

/** A string that is one of `values` (JSON Schema `enum`, not an anyOf of consts). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `schema` or null, as `type: [schema.type, "null"]`; `schema` must have a single `type`. */
export function Nullable<T extends TSchema>(schema: T, options: { description?: string } = {}) {
  const { enum: values, ...rest } = schema as TSchema & { enum?: unknown[] };
  return Type.Unsafe<Static<T> | null>({
    ...rest,
    ...options,
    type: [schema.type as string, 'null'],
    ...(values ? { enum: [...values, null] } : {}),
  });
}

export const TimestampSchema = Type.String({ format: 'date-time', description: 'ISO-8601 UTC timestamp.' });

export const TriggerSchema = StringEnum(['api', 'schedule', 'cli'], { description: 'What started the run.' });

export const RunStatusSchema = StringEnum(['running', 'succeeded', 'partial', 'failed', 'interrupted', 'refused'], {
  description: 'How the run ended (`running` while in progress; `refused`: a brake stopped a real run before it deleted anything).',
});

/** The category names of `list` (the category descriptors) as a string enum. */
export function categoryNameSchemaFor(list: readonly CategoryDescriptor[]) {
  return StringEnum(list.map((d) => d.name) as Category[], { description: 'A cleanup category.' });
}

export const CategoryNameSchema = categoryNameSchemaFor(CATEGORY_LIST);

const Count = Type.Integer({ minimum: 0 });

/**
 * The stats block for `list`: one counter per category, then space_freed_mb. Derived, so the
 * response serializer never drops a category's counter.
 */
export function statsSchemaFor(list: readonly CategoryDescriptor[]) {
  const counters = Object.fromEntries(list.map((d) => [d.statKey, Count])) as Record<StatKey, typeof Count>;
  return Type.Object(
    {
      ...counters,
      space_freed_mb: Type.Number({ minimum: 0, description: 'Bytes of removed files / 1048576, two decimals.' }),
    },
    { additionalProperties: false, description: 'What was removed (in a dry run: what would be).' },
  );
}

export const StatsSchema = statsSchemaFor(CATEGORY_LIST);

/** Every item action (domain/types.ts ItemAction). */
export const ITEM_ACTIONS = ['delete', 'archive', 'rmdir', 'trash', 'purge', 'restore'] as const;

/** The bytes a run moved into the trash (not freed: README, Trash and restore). */
export const SpaceTrashedSchema = Type.Number({
  minimum: 0,
  description: 'Bytes of files moved into the trash / 1048576, two decimals; not counted in space_freed_mb until purged (0 without a trash).',
});

export const ItemSchema = Type.Object(
  {
    category: CategoryNameSchema,
    target: Type.String({ description: 'Root-relative path, or `architect.db:<table>#<rowid>` for a row.' }),
    bytes: Count,
    action: StringEnum(ITEM_ACTIONS, {
      description: '`trash`: moved into the trash; `purge`: removed from the trash for good; `restore`: put back from the trash; `rmdir`: an emptied temp folder.',
    }),
    reason: Type.String(),
  },
  { additionalProperties: false },
);

export const SkippedSchema = Type.Object(
  { category: CategoryNameSchema, target: Type.String(), reason: Type.String() },
  { additionalProperties: false },
);

export const KeptSchema = Type.Object(
  {
    category: CategoryNameSchema,
    target: Type.String(),
    reason: Type.String({ description: 'Every rule that keeps it, e.g. "kept: last #3, daily #3, weekly #1".' }),
  },
  { additionalProperties: false, description: 'An item the retention policy keeps (backups), and why.' },
);

export const ItemErrorSchema = Type.Object(
  { category: CategoryNameSchema, target: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

/** The one error shape of every route; `run_id` only on 409. */
export const ErrorSchema = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable code, e.g. ERR_CLEANUP_BUSY.' }),
        message: Type.String({ description: 'What went wrong, naming the field when input was refused.' }),
      },
      { additionalProperties: false },
    ),
    run_id: Type.Optional(Type.String({ description: 'On 409: the run in progress.' })),
  },
  { additionalProperties: false },
);

/** The error shape, described for one status (the description becomes the OpenAPI response's). */
export function ErrorResponseSchema(description: string) {
  return Type.Object(ErrorSchema.properties, { additionalProperties: false, description });
}

/** Error responses shared by every `/api/` route. */
export const ApiErrorResponses = {
  400: ErrorResponseSchema('Bad input (ERR_CLEANUP_BAD_REQUEST): the message names the field. Nothing ran.'),
  401: ErrorResponseSchema('Missing or wrong bearer token (ERR_CLEANUP_UNAUTHORIZED), when CLEANUP_API_TOKEN is set.'),
  500: ErrorResponseSchema('Internal error (ERR_CLEANUP_INTERNAL); details are in the service log only.'),
};

/**
 * A non-negative integer querystring parameter. Querystrings are strings, and we do not let
 * Ajv coerce them (it turns "" into 0): the schema accepts digits only and the route checks
 * the range with `parseQueryInt`.
 */
export function QueryIntSchema(description: string): TString {
  return Type.String({ pattern: '^[0-9]{1,9}$', description });
}
