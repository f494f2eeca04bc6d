/** Prompts: rows created more than prompt_age_days ago are moved into archive/prompts.db. Shared implementation: ../db/row-cleanup.ts. */
import type { CategoryHandler } from '../context.js';
import { createRowHandler } from '../db/row-cleanup.js';

export const promptsHandler: CategoryHandler = createRowHandler('prompts');
