// Run one job per student under a concurrency bound; a job that throws becomes that student's failure, never the others'.
import pLimit from 'p-limit';
import type { Student } from '../roster/load.js';
import type { ClassroomEvent, StudentResult } from './types.js';

export type StudentJob = (student: Student, phase: (text: string) => void) => Promise<Omit<StudentResult, 'student' | 'ms'>>;

/** Default: students at once. With 4 hosts each, 8 students hold at most 32 SSH connections, one channel each. */
export const DEFAULT_CONCURRENCY = 8;

export async function runStudents(students: Student[], concurrency: number, job: StudentJob, onEvent: (e: ClassroomEvent) => void = () => {}): Promise<StudentResult[]> {
  const limit = pLimit(Math.max(1, concurrency));
  return Promise.all(
    students.map((student) =>
      limit(async () => {
        const started = Date.now();
        onEvent({ type: 'start', student: student.name });
        let result: StudentResult;
        try {
          const r = await job(student, (text) => onEvent({ type: 'phase', student: student.name, text }));
          result = { student: student.name, ...r, ms: Date.now() - started };
        } catch (e) {
          result = { student: student.name, status: 'failed', problem: (e as Error).message ?? String(e), ms: Date.now() - started };
        }
        onEvent({ type: 'done', student: student.name, result });
        return result;
      }),
    ),
  );
}
