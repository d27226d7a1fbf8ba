// Messages of verify-runner: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyRunner = area({}, {});
