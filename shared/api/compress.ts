/**
 * gzip for API answers (issue 14: a month's sheet data went out as 1.2 MB of JSON, 99 KB gzipped): text
 * answers of 1 KB or more to a client that accepts gzip. API Gateway passes the encoded body through;
 * the local server sends the handler's answer as it is, so both compress alike. XLSX is a zip already.
 */
import { gzipSync } from 'node:zlib';
import type { ApiResponse } from './http.js';

const TEXT = /^(application\/json|text\/|application\/javascript)/i;
const MIN_BYTES = 1024;

const headerOf = (headers: Record<string, unknown> | undefined, name: string): string => {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return String(v ?? '');
  return '';
};

export function compressed(
  response: ApiResponse,
  requestHeaders: Record<string, string | undefined> | undefined,
): ApiResponse {
  if (response.body === undefined || !/\bgzip\b/i.test(headerOf(requestHeaders, 'accept-encoding')))
    return response;
  if (
    !TEXT.test(headerOf(response.headers, 'content-type')) ||
    headerOf(response.headers, 'content-encoding')
  )
    return response;
  const raw = Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length < MIN_BYTES) return response;
  return {
    ...response,
    headers: { ...response.headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' },
    body: gzipSync(raw).toString('base64'),
    isBase64Encoded: true,
  };
}
