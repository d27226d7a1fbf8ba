// Messages of the HTML reports of lab verify (src/report/html.ts: `--report html:FILE`, one student's page and a class's
// page): headings, summary, labels, filters and tooltips, in English and Simplified Chinese side by side. The status
// words and the labels a check's rows share with the terminal (expected, found, why, fix, measured, other) are report's.
// Check ids, host names, commands, `lab verify` itself and everything the page's CSS and JS read stay as they are.
// Placeholders marked HTML take markup already escaped; every other message is escaped where it is used.
import { area } from './types.js';

export const html = area(
  {
    /** The verdict in the h1 of one student's page. */
    passed: 'passed',
    failed: 'failed',
    /** The h1: verdict is HTML (the verdict in its coloured span), lab is HTML (escaped). */
    heading: 'lab verify {{lab}}: {{verdict}}',
    /** The class page's h1: verdict is HTML (studentsPass in its coloured span), lab is HTML (escaped). */
    classHeading: 'lab verify {{lab}} for a class: {{verdict}}',
    studentsPass: '{{ok}} of {{total}} students pass',
    /** The class page's <title>. */
    classTitle: 'lab verify {{lab}}: class report',
    /** The line under the h1: after the time, when verify tried more than once; the roster file on a class's page. */
    attempts: '{{attempts}} attempts',
    roster: 'roster {{roster}}',
    /** The summary's boxes. */
    checks: '{{total}} checks',
    passedCount: '{{passed}} passed',
    failedCount: '{{failed}} failed',
    unreachableCount: '{{unreachable}} unreachable',
    skippedCount: '{{skipped}} skipped',
    /** A check's rows not on the terminal: the hosts to look at for a symptom's cause, a skipped check's reason. */
    lookAt: 'look at',
    skipped: 'skipped',
    /** A check as a link or a grid column's tooltip: `web1: Default route via the director`. */
    hostTitle: '{{host}}: {{title}}',
    /** The balancing check's bars, for a screen reader. */
    barsLabel: 'answers per real server',
    /** Headings. */
    whatFailed: 'What failed',
    topology: 'Topology',
    checksHeading: 'Checks',
    grid: 'Students × checks',
    eachStudent: 'Each student',
    /** The filter checkboxes. */
    onlyFailingChecks: 'only the failing checks',
    onlyFailingStudents: 'only students and checks with failures',
    /** The class grid's header cells. */
    student: 'student',
    status: 'status',
    firstProblem: 'first problem',
    /** A grid cell's tooltip: status is report's word; found is what the check found, for a failing one. */
    cellTip: '{{student}} · {{host}}: {{title}} — {{status}}',
    cellTipFound: '{{student}} · {{host}}: {{title}} — {{status}}: {{found}}',
    notChecked: '{{student}}: not checked',
    /** A student's line in "Each student". */
    studentPassed: '{{passed}}/{{total}} checks passed',
  },
  {
    passed: '通过',
    failed: '失败',
    heading: 'lab verify {{lab}}：{{verdict}}',
    classHeading: 'lab verify {{lab}}（全班）：{{verdict}}',
    studentsPass: '{{total}} 名学生中 {{ok}} 名通过',
    classTitle: 'lab verify {{lab}}：全班报告',
    attempts: '共尝试 {{attempts}} 次',
    roster: '名单 {{roster}}',
    checks: '共 {{total}} 项检查',
    passedCount: '{{passed}} 项通过',
    failedCount: '{{failed}} 项失败',
    unreachableCount: '{{unreachable}} 项不可达',
    skippedCount: '{{skipped}} 项跳过',
    lookAt: '排查',
    skipped: '已跳过',
    hostTitle: '{{host}}：{{title}}',
    barsLabel: '每台真实服务器的应答数',
    whatFailed: '失败的检查',
    topology: '拓扑',
    checksHeading: '检查',
    grid: '学生 × 检查',
    eachStudent: '每个学生',
    onlyFailingChecks: '只显示失败的检查',
    onlyFailingStudents: '只显示有失败的学生和检查',
    student: '学生',
    status: '状态',
    firstProblem: '第一个问题',
    cellTip: '{{student}} · {{host}}：{{title}} — {{status}}',
    cellTipFound: '{{student}} · {{host}}：{{title}} — {{status}}：{{found}}',
    notChecked: '{{student}}：未检查',
    studentPassed: '{{passed}}/{{total}} 项检查通过',
  },
);
