// Messages of usage: English and Simplified Chinese side by side.
import { area } from './types.js';

export const usage = area({}, {});
