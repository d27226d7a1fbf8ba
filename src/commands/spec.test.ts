// The committed JSON Schema (referenced by labs/*.yaml for editors) must equal what `lab schema` prints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from './spec.js';

describe('lab schema', () => {
  it('schema/lab.schema.json is up to date (regenerate: node bin/lab.js schema > schema/lab.schema.json)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/lab.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(labJsonSchema())));
  });
  it('rejects unknown keys and constrains addresses for editors too', () => {
    const s = labJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { additionalProperties?: { properties?: Record<string, unknown> } }> };
    expect(s.additionalProperties).toBe(false);
    expect(JSON.stringify(s.properties.hosts)).toContain('"additionalProperties":false');
    expect(JSON.stringify(s.properties.hosts)).toContain('pattern');
  });
});
