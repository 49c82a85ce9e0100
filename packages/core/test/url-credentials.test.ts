import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redact.js';
import { urlPasswords } from '../src/url-credentials.js';

describe('URL credentials', () => {
  const redactor = createRedactor([]);

  it('are hidden wherever they are written, the user kept', () => {
    expect(redactor.redact('clone https://bob:s3cr3t@example.com/x')).toBe(
      'clone https://bob:[REDACTED]@example.com/x',
    );
    expect(redactor.redact('postgres://:pw@db/app')).toBe('postgres://:[REDACTED]@db/app');
    expect(urlPasswords('a git+ssh://git:k3y@h/r and https://u:p@h')).toEqual(['k3y', 'p']);
  });

  it('are hidden after a long run of letters, and a scheme glued to 40 letters still counts', () => {
    const blob = 'QUJD'.repeat(16_384);
    expect(redactor.redact(`${blob} https://ci:tok3n@example.com`)).toBe(
      `${blob} https://ci:[REDACTED]@example.com`,
    );
    const glued = `${'x'.repeat(40)}https://u:secret@h`;
    expect(redactor.redact(glued)).not.toContain('secret');
  });

  it('keep a password of 8,192 characters hidden; text without "@" stays as it is', () => {
    const long = 'p'.repeat(8192);
    expect(redactor.redact(`https://u:${long}@h`)).toBe('https://u:[REDACTED]@h');
    const noAt = `https://u:${'a+b'.repeat(20_000)}`;
    expect(redactor.redact(noAt)).toBe(noAt);
  });
});
