/**
 * backup_policy in the settings (issue 12 section 1, SPEC 2 and 8): validated like everything
 * else, merged per environment rule by rule with the precedence request > config > defaults,
 * backup_retention meaning keep_last, and the rules each environment ends up with.
 */
import { describe, expect, it } from 'vitest';
import { policyForEveryEnvironment } from '../../src/config/backup-policy.js';
import { ConfigError, loadSettings, resolvePolicy } from '../../src/config/settings.js';
import { backupRulesFor } from '../../src/engine/planner.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { makeTempDir } from '../helpers/temp-root.js';

const load = (config: object) => loadSettings({ env: {}, cwd: makeTempDir(), configFile: writeConfig(config) });

describe('backup_policy from the config file and the request', () => {
  it('gives each environment its rules plus its keep_last from backup_retention; default covers the rest', () => {
    const s = load({ backup_policy: { prod: { keep_daily: 7, keep_weekly: 4 }, default: { keep_within: '2d' } } });
    expect(backupRulesFor(s.policy, 'prod')).toEqual({ keep_last: 10, keep_daily: 7, keep_weekly: 4 });
    expect(backupRulesFor(s.policy, 'PROD')).toEqual({ keep_last: 10, keep_daily: 7, keep_weekly: 4 });
    expect(backupRulesFor(s.policy, 'qa')).toEqual({ keep_last: 5, keep_within: '2d' });
    expect(backupRulesFor(s.policy, 'staging')).toEqual({ keep_last: 5, keep_within: '2d' });
  });

  it('without backup_policy, the policy is what it was (keep_last only)', () => {
    const s = load({ backup_retention: { prod: 20 } });
    expect(s.policy).not.toHaveProperty('backupPolicy');
    expect(backupRulesFor(s.policy, 'prod')).toEqual({ keep_last: 20 });
  });

  it('a request merges rule by rule over the config file; 0 switches a configured rule off', () => {
    const s = load({ backup_policy: { prod: { keep_daily: 7, keep_weekly: 4 } } });
    const p = resolvePolicy(s, { backup_policy: { PROD: { keep_daily: 3, keep_monthly: 6 } } });
    expect(backupRulesFor(p, 'prod')).toEqual({ keep_last: 10, keep_daily: 3, keep_weekly: 4, keep_monthly: 6 });
    const off = resolvePolicy(s, { backup_policy: { prod: { keep_weekly: 0 } } });
    expect(backupRulesFor(off, 'prod')).toEqual({ keep_last: 10, keep_daily: 7 });
  });

  it('backup_policy.<env>.keep_last is backup_retention.<env>: the later source wins either way', () => {
    const s = load({ backup_policy: { prod: { keep_last: 3, keep_daily: 7 } } });
    expect(s.policy.backupRetention.prod).toBe(3);
    expect(backupRulesFor(resolvePolicy(s, { backup_retention: { prod: 20 } }), 'prod')).toEqual({ keep_last: 20, keep_daily: 7 });
    expect(backupRulesFor(resolvePolicy(s, { backup_retention: 2 }), 'prod').keep_last).toBe(2);
    const t = load({ backup_retention: { prod: 20 } });
    expect(backupRulesFor(resolvePolicy(t, { backup_policy: { prod: { keep_last: 4 } } }), 'prod')).toEqual({ keep_last: 4 });
  });

  it('the CLI flags set a rule for every environment the policy names, and default', () => {
    const s = load({ backup_policy: { prod: { keep_weekly: 4 }, qa: { keep_daily: 2 } } });
    const p = resolvePolicy(s, { backup_policy: policyForEveryEnvironment({ keep_daily: 5 }, s.policy) });
    expect(backupRulesFor(p, 'prod')).toEqual({ keep_last: 10, keep_weekly: 4, keep_daily: 5 });
    expect(backupRulesFor(p, 'qa')).toEqual({ keep_last: 5, keep_daily: 5 });
    expect(backupRulesFor(p, 'other')).toEqual({ keep_last: 5, keep_daily: 5 });
  });
});

describe('backup_policy refused with a message naming the field', () => {
  const BAD: [string, object, RegExp][] = [
    ['an unknown rule', { backup_policy: { prod: { keep_dayly: 7 } } }, /unknown field "backup_policy\.prod\.keep_dayly"/],
    ['a string count', { backup_policy: { prod: { keep_daily: '7' } } }, /backup_policy\.prod\.keep_daily must be integer/],
    ['a fraction', { backup_policy: { prod: { keep_weekly: 1.5 } } }, /backup_policy\.prod\.keep_weekly must be integer/],
    ['keep_last 0', { backup_policy: { prod: { keep_last: 0 } } }, /backup_policy\.prod\.keep_last must be integer to be greater or equal to 1/],
    ['a negative count', { backup_policy: { default: { keep_monthly: -1 } } }, /backup_policy\.default\.keep_monthly must be integer to be greater or equal to 0/],
    ['a count over the maximum', { backup_policy: { prod: { keep_yearly: 10_001 } } }, /backup_policy\.prod\.keep_yearly must be integer to be less or equal to 10000/],
    ['a malformed duration', { backup_policy: { prod: { keep_within: '14 days' } } }, /backup_policy\.prod\.keep_within must be a duration: integers with units y, m, w, d, h in that order .*\(got "14 days"\)/],
    ['units out of order', { backup_policy: { prod: { keep_within: '2m1y' } } }, /backup_policy\.prod\.keep_within must be a duration/],
    ['an empty rule set', { backup_policy: { prod: {} } }, /backup_policy\.prod must be object to have at least 1 properties/],
    ['not an object', { backup_policy: 7 }, /backup_policy must be object/],
    ['one environment twice', { backup_policy: { prod: { keep_daily: 1 }, PROD: { keep_daily: 2 } } }, /backup_policy\.prod and backup_policy\.PROD name the same environment/],
    ['keep_last set twice', { backup_retention: { prod: 5 }, backup_policy: { prod: { keep_last: 3 } } }, /backup_retention\.prod and backup_policy\.prod\.keep_last both set how many prod backups are kept/],
    ['keep_last set twice (integer)', { backup_retention: 5, backup_policy: { qa: { keep_last: 3 } } }, /backup_retention and backup_policy\.qa\.keep_last both set/],
  ];

  it.each(BAD)('%s in the config file', (_name, config, message) => {
    expect(() => load(config)).toThrow(ConfigError);
    expect(() => load(config)).toThrow(message);
  });

  it.each(BAD)('%s in a request', (_name, body, message) => {
    const s = load({});
    expect(() => resolvePolicy(s, body as never)).toThrow(message);
  });
});
