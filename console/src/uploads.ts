/**
 * Files into the upload store (issue 12): PUT to the signed links `POST …/datasets/upload-url` gives —
 * presigned URLs of the import bucket on AWS, `medcomm serve`'s own /uploads/… on one machine — so no file
 * passes through the API. A correction and an appeal's acceptance then name the upload's prefix.
 */
import { ApiError, postJson } from './api/client';
import type { UploadTicket } from './api/types';

/**
 * The files' upload prefix, or undefined when the server has no upload storage (501: send them in the body).
 * `community` names another community than the current one (an import of a new county's folder);
 * `onUploading` is told once the links are given and the PUTs start.
 */
export async function uploadFiles(
  files: readonly File[],
  options: { community?: string; onUploading?: () => void } = {},
): Promise<string | undefined> {
  let ticket: UploadTicket;
  try {
    ticket = await postJson<UploadTicket>(
      '/api/datasets/upload-url',
      { files: files.map((f) => f.name) },
      options.community,
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 501) return undefined;
    throw e;
  }
  options.onUploading?.();
  await Promise.all(
    ticket.files.map(async (signed) => {
      const file = files.find((f) => f.name === signed.name)!;
      let response: Response;
      try {
        response = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: file });
      } catch {
        throw new ApiError(0, `${signed.name} 上传失败 / ${signed.name} could not be uploaded`);
      }
      if (!response.ok)
        throw new ApiError(
          response.status,
          `${signed.name} 上传失败（HTTP ${response.status}）/ ${signed.name} could not be uploaded (HTTP ${response.status})`,
        );
    }),
  );
  return ticket.prefix;
}
