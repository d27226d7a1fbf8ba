// Messages of tutor mode (lab progress, lab hint, lab up --until): English and Simplified Chinese side by side.
import { area } from './types.js';

export const tutor = area(
  {
    placeholder: 'x',
  },
  {
    placeholder: 'x',
  },
);
