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

  // One random UUID in about a thousand has decimal groups that pass the Luhn check.
  it.each(['9ae9f306-8607-4839-9083-58028668a25a', '83794607-9537-4786-b013-de58d58ec2d1', '19189755-5d5a-4bf8-a8a9-774655091569'])(
    'leave a transaction ID alone even where its digits pass the Luhn check: %s',
    (id) => {
      const lines: string[] = [];
      createLogger({ sink: (l) => lines.push(l) }).info(`ended ${id}`, { acsTransID: id });
      expect(JSON.parse(lines[0])).toMatchObject({ msg: `ended ${id}`, acsTransID: id });
    },
  );

  it('still mask a card number written next to a transaction ID', () => {
    expect(redact('83794607-9537-4786-b013-de58d58ec2d1 4111111111111111')).toBe('83794607-9537-4786-b013-de58d58ec2d1 411111******1111');
    expect(redact('4111111111111111-83794607-9537-4786-b013-de58d58ec2d1')).toBe('411111******1111-83794607-9537-4786-b013-de58d58ec2d1');
  });
});
