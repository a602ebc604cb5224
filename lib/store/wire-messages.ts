/**
 * Splits a client's byte stream into PostgreSQL frontend messages (protocol 3.0): the untyped
 * first message (startup, SSL/GSS request, cancel request), then typed ones (a type byte and a
 * length that counts itself). Bytes of an incomplete message stay buffered until the rest arrives.
 */

export type FrontendMessage =
  | { readonly kind: 'startup'; readonly bytes: Uint8Array }
  /** SSLRequest or GSSENCRequest: the server answers 'N' (no encryption on loopback). */
  | { readonly kind: 'encryption-request' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'typed'; readonly type: string; readonly bytes: Uint8Array };

const PROTOCOL_3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
/** Far above any statement we send; a larger length means a broken or hostile client. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;

  /** Appends `chunk` and returns every message now complete, in order. Throws on a malformed stream. */
  push(chunk: Buffer): FrontendMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: FrontendMessage[] = [];
    for (;;) {
      const message = this.started ? this.typed() : this.untyped();
      if (message === undefined) return messages;
      messages.push(message);
    }
  }

  private untyped(): FrontendMessage | undefined {
    if (this.buffer.length < 8) return undefined;
    const length = this.buffer.readInt32BE(0);
    if (length < 8 || length > MAX_MESSAGE_BYTES) throw new Error(`malformed startup message length ${length}`);
    if (this.buffer.length < length) return undefined;
    const code = this.buffer.readInt32BE(4);
    const bytes = this.take(length);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) return { kind: 'encryption-request' };
    if (code === CANCEL_REQUEST) return { kind: 'cancel' };
    if (code !== PROTOCOL_3) throw new Error(`unsupported protocol ${code}`);
    this.started = true;
    return { kind: 'startup', bytes };
  }

  private typed(): FrontendMessage | undefined {
    if (this.buffer.length < 5) return undefined;
    const length = this.buffer.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error(`malformed message length ${length}`);
    if (this.buffer.length < length + 1) return undefined;
    const type = String.fromCharCode(this.buffer[0] ?? 0);
    return { kind: 'typed', type, bytes: this.take(length + 1) };
  }

  private take(count: number): Uint8Array {
    // A copy: the buffer is reused, and PGlite may keep the bytes until the message runs.
    const bytes = new Uint8Array(this.buffer.subarray(0, count));
    this.buffer = this.buffer.subarray(count);
    return bytes;
  }
}
