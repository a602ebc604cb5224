import { describe, expect, it } from 'vitest';
import { MessageReader } from '../../lib/store/wire-messages.js';

const int32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
};
const startup = Buffer.concat([int32(8 + 5), int32(196_608), Buffer.from('user\0')]);
const typed = (type: string, body: string): Buffer => Buffer.concat([Buffer.from(type), int32(4 + body.length), Buffer.from(body)]);

describe('splitting a client byte stream into protocol messages', () => {
  it('answers an SSL request, then reads the startup and typed messages, however the bytes are cut', () => {
    const stream = Buffer.concat([int32(8), int32(80_877_103), startup, typed('P', '\0SELECT 1\0\0\0'), typed('S', '')]);
    for (const cut of [1, 3, 7, 13, stream.length]) {
      const reader = new MessageReader();
      const messages = [];
      for (let at = 0; at < stream.length; at += cut) messages.push(...reader.push(stream.subarray(at, at + cut)));
      expect(messages.map((message) => (message.kind === 'typed' ? message.type : message.kind))).toEqual(['encryption-request', 'startup', 'P', 'S']);
    }
  });

  it('keeps an incomplete message until the rest arrives', () => {
    const reader = new MessageReader();
    expect(reader.push(startup)).toHaveLength(1);
    const query = typed('Q', 'SELECT 1\0');
    expect(reader.push(query.subarray(0, 6))).toEqual([]);
    const [message] = reader.push(query.subarray(6));
    expect(message).toMatchObject({ kind: 'typed', type: 'Q' });
    expect(Buffer.from(message?.kind === 'typed' ? message.bytes : []).equals(query)).toBe(true);
  });

  it('refuses a length no client sends (a broken or hostile stream)', () => {
    const reader = new MessageReader();
    reader.push(startup);
    expect(() => reader.push(Buffer.concat([Buffer.from('Q'), int32(2)]))).toThrow(/malformed message length/);
    expect(() => new MessageReader().push(Buffer.concat([int32(8), int32(1234)]))).toThrow(/unsupported protocol/);
  });
});
