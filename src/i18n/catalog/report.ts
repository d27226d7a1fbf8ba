// Messages of report (lab verify on the terminal: status words, field labels, the summary line): English and
// Simplified Chinese side by side. JSON and JUnit reports keep their English ids and field names.
import { area } from './types.js';

export const report = area(
  {
    // The mark before each check.
    pass: 'pass',
    fail: 'FAIL',
    skip: 'skip',
    unreachable: 'unreachable',
    // The labels of the lines under a check.
    measured: 'measured',
    expected: 'expected',
    found: 'found',
    why: 'why',
    fix: 'fix',
    // The balancing check's bar of the answers no real server gave.
    other: 'other',
    // The last line: `12 checks: 10 passed, 2 failed, 1 unreachable, 1 skipped (3.2s, 2 attempts)`.
    summary: '{{total}} checks: {{passed}} passed, {{failed}} failed',
    summaryUnreachable: ', {{unreachable}} unreachable',
    summarySkipped: ', {{skipped}} skipped',
    attempts: ', {{attempts}} attempts',
    // Around the time of the summary line, and a skipped check's reason.
    aside: '({{text}})',
  },
  {
    pass: '通过',
    fail: '失败',
    skip: '跳过',
    unreachable: '不可达',
    measured: '测得',
    expected: '预期',
    found: '实际',
    why: '原因',
    fix: '修复',
    other: '其他',
    summary: '共 {{total}} 项检查：{{passed}} 项通过，{{failed}} 项失败',
    summaryUnreachable: '，{{unreachable}} 项不可达',
    summarySkipped: '，{{skipped}} 项跳过',
    attempts: '，共尝试 {{attempts}} 次',
    aside: '（{{text}}）',
  },
);
