/** The one choice between a dry run and a real run (engine/sinks.ts). */
import { describe, expect, it } from 'vitest';
import { removalFor, removes, SINK_PHASE, sinkFor } from '../../src/engine/sinks.js';

describe('sinkFor', () => {
  it('lists in a dry run whatever the rule says, and carries out the rule in a real run', () => {
    expect(sinkFor({ dryRun: true }, 'delete')).toBe('list');
    expect(sinkFor({ dryRun: true }, 'archive')).toBe('list');
    expect(sinkFor({ dryRun: false }, 'delete')).toBe('delete');
    expect(sinkFor({ dryRun: false }, 'archive')).toBe('archive');
  });

  it('reports listing as planning, and only the removing sinks change anything', () => {
    expect(SINK_PHASE).toEqual({ list: 'planning', delete: 'executing', archive: 'executing', trash: 'executing' });
    expect([removes('list'), removes('delete'), removes('archive'), removes('trash')]).toEqual([false, true, true, true]);
  });

  it('trashes in place of deleting while the run\'s trash is active, never in place of archiving (issue 15)', () => {
    const trash = { active: true };
    expect(sinkFor({ dryRun: false, trash }, 'delete')).toBe('trash');
    expect(sinkFor({ dryRun: false, trash }, 'archive')).toBe('archive');
    expect(sinkFor({ dryRun: true, trash }, 'delete')).toBe('list');
    expect(removalFor({ dryRun: true, trash }, 'delete')).toBe('trash');
    expect(sinkFor({ dryRun: false, trash: { active: false } }, 'delete')).toBe('delete');
  });
});
