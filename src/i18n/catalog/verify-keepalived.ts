// Messages of verify-keepalived: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyKeepalived = area({}, {});
