/** Config `trash` (issue 15): off by default, checked like every key (closed object, ranges), editable from the panel. */
import { describe, expect, it } from 'vitest';
import { checkEditable } from '../../src/config/editable.js';
import { loadSettings } from '../../src/config/settings.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { makeTempDir } from '../helpers/temp-root.js';

const load = (config: object) => loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: makeTempDir(), configFile: writeConfig(config) });

describe('config trash', () => {
  it('is off without the key, and keep_hours defaults to 72', () => {
    expect(loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: makeTempDir() }).trash).toBeNull();
    expect(load({ trash: {} }).trash).toEqual({ keepHours: 72, minFreePercent: null });
    expect(load({ trash: { keep_hours: 24, min_free_percent: 10 } }).trash).toEqual({ keepHours: 24, minFreePercent: 10 });
  });

  it('refuses an unknown field, a wrong type and an out-of-range number, naming the field', () => {
    expect(() => load({ trash: { keep_hours: 24, keep_days: 1 } })).toThrow(/unknown field "trash.keep_days"/);
    expect(() => load({ trash: { keep_hours: 0 } })).toThrow(/trash\.keep_hours must be integer to be greater or equal to 1/);
    expect(() => load({ trash: { keep_hours: '72' } })).toThrow(/trash\.keep_hours must be integer/);
    expect(() => load({ trash: { min_free_percent: 101 } })).toThrow(/trash\.min_free_percent must be integer to be less or equal to 100/);
    expect(() => load({ trash: true })).toThrow(/trash must be object/);
  });

  it('can be edited from the panel like the retention settings', () => {
    expect(checkEditable({ trash: { keep_hours: 48 } }, 'saved configuration')).toEqual({ trash: { keep_hours: 48 } });
    expect(() => checkEditable({ trash: { keep_hours: -1 } }, 'request')).toThrow(/trash\.keep_hours/);
  });
});
