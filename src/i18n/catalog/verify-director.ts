// Messages of verify-director: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyDirector = area({}, {});
