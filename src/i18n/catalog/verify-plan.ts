// Messages of verify-plan: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyPlan = area({}, {});
