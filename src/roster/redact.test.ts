// Redaction masks whole secret values only, never pieces of other words.
import { describe, expect, it } from 'vitest';
import { MASK, Redactor } from './redact.js';

describe('Redactor', () => {
  it('masks a secret wherever it stands as a value', () => {
    const r = new Redactor(['s3cret-Pa55']);
    expect(r.text('password s3cret-Pa55 refused')).toBe(`password ${MASK} refused`);
    expect(r.text('user:s3cret-Pa55@host')).toBe(`user:${MASK}@host`);
    expect(r.text('"s3cret-Pa55"')).toBe(`"${MASK}"`);
    expect(r.text('s3cret-Pa55s3cret-Pa55')).toBe('s3cret-Pa55s3cret-Pa55');
  });
  it('leaves the secret inside a longer word or number alone', () => {
    const r = new Redactor(['2201']);
    expect(r.text('ssh 127.0.0.1:2201 and port 22011')).toBe(`ssh 127.0.0.1:${MASK} and port 22011`);
    expect(new Redactor(['hunter2']).text('hunter22 hunter2 xhunter2')).toBe(`hunter22 ${MASK} xhunter2`);
  });
  it('a secret that starts or ends with punctuation matches at that edge without a word boundary', () => {
    expect(new Redactor(['-pw!']).text('a-pw!b')).toBe(`a${MASK}b`);
  });
  it('masks the longer of two overlapping secrets whole, and escapes regex characters', () => {
    const r = new Redactor(['abcd', 'abcd-efgh', 'a.b*c']);
    expect(r.text('abcd-efgh abcd a.b*c axbbc')).toBe(`${MASK} ${MASK} ${MASK} axbbc`);
  });
  it('deep copies mask keys and values', () => {
    expect(new Redactor(['topsecret']).deep({ topsecret: ['x topsecret'] })).toEqual({ [MASK]: [`x ${MASK}`] });
  });
});
