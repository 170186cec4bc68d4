import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NOTICE_CATEGORIES,
  SCOPE_DOMAINS,
  SERVICE_TYPES,
  TASK_KINDS,
  TASK_OUTCOMES,
  TASK_REJECTION_REASONS,
  TASK_STATES,
  VERIFICATION_RESULTS,
} from '@yipanqi/contracts';
import { ROLES } from '@yipanqi/http-api';
import { chinaTime, overdueFor } from '../../apps/city-node/workbench/src/format';
import {
  DOMAIN_LABELS,
  NOTICE_CATEGORY_LABELS,
  options,
  ROLE_LABELS,
  SERVICE_TYPE_LABELS,
  TASK_KIND_LABELS,
  TASK_OUTCOME_LABELS,
  TASK_REJECTION_REASON_LABELS,
  TASK_STATE_LABELS,
  VERIFICATION_RESULT_LABELS,
} from '../../apps/city-node/workbench/src/labels';
import { PROBLEM_MESSAGES, problemMessage } from '../../apps/city-node/workbench/src/problems';

describe('the workbench words for the API codes', () => {
  it.each([
    ['roles', ROLE_LABELS, ROLES],
    ['task kinds', TASK_KIND_LABELS, TASK_KINDS],
    ['scope domains', DOMAIN_LABELS, SCOPE_DOMAINS],
    ['task states', TASK_STATE_LABELS, TASK_STATES],
    ['rejection reasons', TASK_REJECTION_REASON_LABELS, TASK_REJECTION_REASONS],
    ['task outcomes', TASK_OUTCOME_LABELS, TASK_OUTCOMES],
    ['verification results', VERIFICATION_RESULT_LABELS, VERIFICATION_RESULTS],
    ['service types', SERVICE_TYPE_LABELS, SERVICE_TYPES],
    ['notice categories', NOTICE_CATEGORY_LABELS, NOTICE_CATEGORIES],
  ])('name every one of the %s, in the API order', (_what, labels, codes) => {
    expect(Object.keys(labels)).toEqual([...codes]);
  });

  it('offers a select the API codes with their names', () => {
    expect(options(TASK_OUTCOME_LABELS)[2]).toEqual({
      value: 'person-not-found',
      label: '查无此人 person-not-found',
    });
  });

  it('have a message for every problem code docs/api-errors.md lists', () => {
    const doc = readFileSync(join(__dirname, '../../docs/api-errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((m) => m[1]));
    // the agreement gate's codes are named in the text, not a table
    for (const code of [
      'NO_AGREEMENT',
      'AGREEMENT_INACTIVE',
      'OUT_OF_SCOPE',
      'AGREEMENT_AMBIGUOUS',
    ])
      documented.add(code);
    expect([...documented].filter((code) => !PROBLEM_MESSAGES[code])).toEqual([]);
  });

  it('show the code and status after the words, and the title for a code it does not know', () => {
    expect(problemMessage({ status: 409, code: 'TASK_STATE_CONFLICT', title: 'x' })).toBe(
      '委托当前的状态不允许此项操作（409 TASK_STATE_CONFLICT）',
    );
    expect(problemMessage({ status: 418, code: 'TEAPOT', title: 'I am a teapot' })).toBe(
      'I am a teapot（418 TEAPOT）',
    );
  });
});

describe('the workbench times', () => {
  it('are China time, yyyy-mm-dd HH:mm, whatever the instant is written as', () => {
    expect(chinaTime('2026-03-31T16:05:09Z')).toBe('2026-04-01 00:05');
    expect(chinaTime(Date.parse('2026-12-31T23:59:00+08:00'))).toBe('2026-12-31 23:59');
    expect(chinaTime(null)).toBe('—');
  });

  it('say how long past due in days, hours or minutes', () => {
    expect(overdueFor(2 * 86400 + 3 * 3600 + 59)).toBe('2 天 3 小时');
    expect(overdueFor(5 * 3600)).toBe('5 小时');
    expect(overdueFor(20)).toBe('1 分钟');
  });
});
