/**
 * A category added the way a newcomer would: this one file (its descriptor, carried out by the
 * existing `files` strategy) and one line in a list. "Screenshots older than 7 days".
 */
import { ageLimit, CATEGORY_LIST, defineCategory, MAX_COUNT } from '../../src/domain/categories/index.js';

export const screenshots = defineCategory({
  name: 'screenshots',
  kind: 'files',
  label: 'Screenshots',
  statKey: 'screenshots_deleted',
  path: { key: 'screenshots', default: 'screenshots' },
  rule: { kind: 'age', setting: 'screenshot_age_days', unit: 'days', default: 7, max: MAX_COUNT, verb: 'modified', action: 'delete' },
  policyLine: (policy, self) => `delete screenshots modified more than ${ageLimit(policy, self)} days ago`,
  summary: { done: 'Screenshots deleted', planned: 'Screenshots to delete' },
  strategy: 'files',
});

/** The built-in list plus screenshots: the one line. */
export const WITH_SCREENSHOTS = [...CATEGORY_LIST, screenshots];
