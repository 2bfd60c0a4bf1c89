/**
 * The DynamoDB client's JSON writer, fast for long strings (issue 17). The SDK (3.11xx) writes every
 * request body with its own byte writer, which escapes and UTF-8-encodes a string one character at a
 * time in JavaScript: the largest entry of a CPU profile of a city import's main thread (its 67 MB of blob
 * pages). A string of some length is written instead as `JSON.stringify` makes it, UTF-8-encoded by
 * `TextEncoder.encodeInto`, both native: the same bytes (JSON.stringify escapes exactly what the SDK's
 * table does — `"` `\` and the C0 controls, as `\b \t \n \f \r` or lowercase `\u00xx`, and lone
 * surrogates as lowercase `\udxxx` — and leaves everything else, pairs included, as UTF-8). Serializing
 * 59 MB of such pages in BatchWriteItems took 0.69–0.73 s of CPU with the SDK's loop, 0.53–0.54 s so.
 * `test/unit/store/sdk-json-strings.test.ts` holds the two bodies byte-equal over any strings.
 *
 * It replaces the method on this client's one serializer instance only, never the SDK's classes; where
 * the SDK's shape differs (another version), nothing is replaced and the client works as the SDK made it
 * (`fastJsonStrings` answers false; the test then fails, so an upgrade does not lose this silently).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Below this length the SDK's own loop is as fast (no intermediate string). */
export const FAST_STRING_CHARS = 256;

interface JsonByteWriter {
  json: Uint8Array;
  i: number;
  ensure(byteCount: number): void;
  writeJsonString(s: string): void;
  flush(): unknown;
}

/**
 * A body at least this large is copied out of the writer's buffer, which the writer keeps for the next
 * request (up to REUSED_BUFFER_MAX_BYTES), instead of handing the buffer over and growing a new one from
 * 2 KB by doubling: a BatchWriteItem of 25 blob pages (~10 MB) made buffers of 2 KB, 4 KB, … 16 MB, each
 * copied into the next and each page of them touched fresh.
 */
export const COPY_OUT_MIN_BYTES = 64 * 1024;
export const REUSED_BUFFER_MAX_BYTES = 32 * 1024 * 1024;

const encoder = new TextEncoder();

function isWriter(value: unknown): value is JsonByteWriter {
  const w = value as Partial<JsonByteWriter> | undefined;
  return (
    typeof w === 'object' &&
    w !== null &&
    typeof w.writeJsonString === 'function' &&
    typeof w.ensure === 'function' &&
    typeof w.flush === 'function' &&
    typeof w.i === 'number' &&
    w.json instanceof Uint8Array
  );
}

/** Makes `client`'s request serializer write long strings natively; false where its shape is not the one known. */
export function fastJsonStrings(client: DynamoDBClient): boolean {
  const protocol = (client.config as { protocol?: unknown }).protocol as { serializer?: unknown } | undefined;
  const writer = protocol?.serializer;
  if (!isWriter(writer)) return false;
  const own = writer.writeJsonString;
  writer.writeJsonString = function writeJsonString(this: JsonByteWriter, s: string): void {
    if (typeof s !== 'string' || s.length < FAST_STRING_CHARS) {
      own.call(this, s);
      return;
    }
    // Room for ASCII first (the usual text); the rest, if any, at most 3 bytes a UTF-16 unit (a pair is 4).
    // encodeInto stops before a character that does not fit, never inside one.
    let rest = JSON.stringify(s);
    this.ensure(rest.length);
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.json.subarray(this.i));
      this.i += written;
      if (read >= rest.length) return;
      rest = rest.slice(read);
      this.ensure(rest.length * 3);
    }
  };
  const ownFlush = writer.flush;
  writer.flush = function flush(this: JsonByteWriter): unknown {
    const end = this.i;
    const json = this.json;
    const body = ownFlush.call(this);
    // The SDK hands out a view of its buffer and starts a fresh one; a large body is copied out instead
    // (the same bytes, a buffer of its own) and the grown buffer kept for the next request.
    if (
      end < COPY_OUT_MIN_BYTES ||
      json.length > REUSED_BUFFER_MAX_BYTES ||
      !(body instanceof Uint8Array) ||
      body.buffer !== json.buffer ||
      body.byteOffset !== json.byteOffset ||
      body.length !== end
    )
      return body;
    // Of the body's own class (the SDK's Uint8Array that also answers as a string).
    const made = body.constructor as {
      allocUnsafe?: (size: number) => Uint8Array;
      new (size: number): Uint8Array;
    };
    const own = typeof made.allocUnsafe === 'function' ? made.allocUnsafe(end) : new made(end);
    own.set(body);
    this.json = json;
    return own;
  };
  return true;
}
