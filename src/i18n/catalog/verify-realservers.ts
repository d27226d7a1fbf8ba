// Messages of verify-realservers: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyRealservers = area({}, {});
