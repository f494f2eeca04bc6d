/** Errors: resolved error rows older than error_age_days are deleted. Shared implementation: ../db/row-cleanup.ts. */
import type { CategoryHandler } from '../context.js';
import { createRowHandler } from '../db/row-cleanup.js';

export const errorsHandler: CategoryHandler = createRowHandler('errors');
