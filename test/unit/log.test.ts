import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../src/log.ts';

describe('structured logs', () => {
  it('write one JSON object per line at or above the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', sink: (l) => lines.push(l), clock: () => 0 });
    log.debug('hidden');
    log.info('hello', { a: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'hello', a: 1 });
  });

  it('drop secret fields by name and mask card numbers anywhere', () => {
    const out = redact({
      acctNumber: '4111111111111111',
      nested: { password: 'hunter2', otp: '123456', note: 'card 4111 1111 1111 1111 declined', order: '12345678901234' },
      list: ['3540-1200-0000-1234'],
    }) as any;
    expect(out.acctNumber).toBe('[redacted]');
    expect(out.nested.password).toBe('[redacted]');
    expect(out.nested.otp).toBe('[redacted]');
    expect(out.nested.note).toBe('card 411111******1111 declined');
    // Not a valid card number (Luhn): left alone, so order numbers stay readable.
    expect(out.nested.order).toBe('12345678901234');
    expect(JSON.stringify(out)).not.toContain('4111111111111111');
  });
});
