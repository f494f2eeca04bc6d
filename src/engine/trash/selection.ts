/**
 * What a restore asks for (`restore --run R [--category C] [--target PATH]…`, `POST
 * /runs/:id/restore`): a run's trash, optionally only one category and some targets. A target
 * selects an item whose target is it, or lies below it (`logs/app` selects `logs/app/x.log`;
 * `architect.db:task_queue` selects every trashed row of that table).
 */
import type { Category } from '../../domain/types.js';

/** A restore request as the CLI and the API give it. */
export interface RestoreRequest {
  runId: string;
  category?: Category;
  targets?: readonly string[];
}

export interface RestoreSelection {
  runId: string;
  /** Only this category (undefined: every one). */
  category?: string;
  /** True when the request selects the item `target` of `category`. */
  wants(category: string, target: string): boolean;
}

/** The selection of a request. */
export function selectionOf(req: RestoreRequest): RestoreSelection {
  const targets = req.targets?.length ? req.targets.map((t) => t.replace(/\/+$/, '')) : null;
  return {
    runId: req.runId,
    category: req.category,
    wants(category, target) {
      if (req.category !== undefined && category !== req.category) return false;
      return !targets || targets.some((t) => target === t || target.startsWith(`${t}/`) || target.startsWith(`${t}#`));
    },
  };
}
