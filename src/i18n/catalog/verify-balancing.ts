// Messages of verify-balancing: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyBalancing = area({}, {});
