/**
 * The API's side of an export (shared/reports/exports.ts builds, renders and audits it): what a request
 * asks for — the community's cycle of the path, in the query's format, by the caller, audited with the
 * request id — and handing the file out through the export sink.
 */
import type { ExportedFile, ExportRequest } from '../reports/exports.js';
import type { Repositories } from '../store/index.js';
import type { RouteInput } from './handler.js';
import type { RouteResult } from './http.js';
import type { ExportFile, ExportSink } from './ports.js';

export async function exportRequest<K, F>(
  {
    params,
    query,
    caller,
    community,
    event,
  }: RouteInput<{ kind: K; period: string }, { format: F }, unknown>,
  _repos: Repositories,
): Promise<ExportRequest & { kind: K; format: F }> {
  return {
    // The community of the path (authorize checked the caller's groups there): its chain and its cycle.
    communityId: community,
    kind: params.kind,
    period: params.period,
    format: query.format,
    by: caller.user,
    target: `api ${event.requestContext.requestId}`,
  };
}

/** The file as a download (locally) or a link to it (AWS), stored under `kind` (e.g. `sheets/monthly/2026-03`). */
export function deliverExport(
  exports: ExportSink,
  kind: string,
  file: ExportedFile,
  options: Pick<ExportFile, 'sensitive' | 'inline'> = {},
): Promise<RouteResult> {
  return exports.deliver({
    kind,
    ...options,
    filename: file.filename,
    contentType: file.mediaType,
    bytes: file.content,
  });
}
