// Messages of verify-forwarding: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyForwarding = area({}, {});
