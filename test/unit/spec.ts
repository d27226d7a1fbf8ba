// Shared by the spec tests: what validation says of a spec text, and where a line is.
import { specProblems as problemsOf } from '../../src/spec/load.js';

/** The problem lines validation gives for a spec text (as labs/x.yaml), or [] when it validates. */
export const specProblems = (text: string): string[] => problemsOf('labs/x.yaml', text);

/** The 1-based number of the first line containing `needle`. */
export const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
