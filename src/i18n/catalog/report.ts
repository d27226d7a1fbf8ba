// Messages of report: English and Simplified Chinese side by side.
import { area } from './types.js';

export const report = area({}, {});
