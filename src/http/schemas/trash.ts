/** Schemas of `POST /api/system/cleanup/runs/:id/restore` (issue 15, README, Trash and restore). */
import { type Static, Type } from '@sinclair/typebox';
import { CategoryNameSchema } from './common.js';

export const RestoreParamsSchema = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
      description: 'The run_id of the run whose trash to put back (letters, digits, - and _).',
    }),
  },
  { additionalProperties: false },
);

export const TrashRestoreBodySchema = Type.Object(
  {
    category: Type.Optional(CategoryNameSchema),
    targets: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
        minItems: 1,
        maxItems: 1000,
        description: 'Only these items, or what lies below them: `logs/app`, `architect.db:task_queue#12`, `architect.db:task_queue`.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Every field is optional; an empty or absent body restores everything the run moved into the trash.' },
);
export type TrashRestoreBody = Static<typeof TrashRestoreBodySchema>;
