import { describe, expect, it } from 'vitest';
import { JOB_INPUT_LIMITS, jobInputOverLimits, utf8ByteLength } from '../../src/domain/job-input-limits.ts';

const fits = 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes - 100);
const over = 'x'.repeat(JOB_INPUT_LIMITS.fieldBytes);

describe('jobInputOverLimits (what a Ctrlplane job may bring)', () => {
  it('names the first field over 64 KiB, the config as given and as rendered', () => {
    expect(jobInputOverLimits({ variables: { over } })).toMatch(/^variables is \d+ bytes; the limit is 65536 bytes \(64 KiB\)$/);
    expect(jobInputOverLimits({ resource: { config: { over } } })).toMatch(/^resource is /);
    expect(jobInputOverLimits({ jobAgentConfig: { over } })).toMatch(/^jobAgentConfig is /);
    expect(jobInputOverLimits({ jobAgentConfig: {} }, { over })).toMatch(/^rendered jobAgentConfig is /);
  });

  it('bounds the whole input at 256 KiB even when every field fits', () => {
    const input = { variables: { fits }, deployment: { fits }, environment: { fits }, resource: { fits }, jobAgentConfig: { fits } };
    expect(jobInputOverLimits(input)).toMatch(/^the job as a whole is \d+ bytes; the limit is 262144 bytes \(256 KiB\)$/);
    expect(jobInputOverLimits({ variables: { fits }, jobAgentConfig: { fits } })).toBeUndefined();
  });
});

describe('utf8ByteLength (sizes counted without Node, so workflow code may count them)', () => {
  it('counts every text as Node counts it in UTF-8', () => {
    const lone = String.fromCharCode(0xd800);
    for (const text of ['', 'ascii', 'é', '€', '𝄞', `a${lone}b`, `${lone}`, '\udc00x', `${'😀'.repeat(3)}ü€`, JSON.stringify({ key: 'ключ 鍵 🔑' })]) {
      expect(utf8ByteLength(text), JSON.stringify(text)).toBe(Buffer.byteLength(text));
    }
  });
});
