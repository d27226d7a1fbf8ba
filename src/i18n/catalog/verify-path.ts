// Messages of verify-path: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyPath = area({}, {});
