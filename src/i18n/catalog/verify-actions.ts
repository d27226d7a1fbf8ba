// Messages of verify-actions: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyActions = area({}, {});
