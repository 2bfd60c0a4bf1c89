/**
 * A dataset folder chosen in the browser, as the API takes it ({name: base64}): the upload page and the
 * board's corrections both send one.
 */

/**
 * What the server reads: top-level .csv/.json files and .xlsx workbooks, not hidden ones (it names
 * unknown ones itself).
 */
export function isDatasetFile(file: File): boolean {
  const path = file.webkitRelativePath || file.name;
  const depth = path.split('/').length;
  return depth <= 2 && !file.name.startsWith('.') && /\.(csv|json|xlsx)$/i.test(file.name);
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode(...all) overflows the call stack on large files.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The files as the API's `files` body: {name: base64}. */
export async function datasetBody(files: readonly File[]): Promise<Record<string, string>> {
  const body: Record<string, string> = {};
  for (const file of files) body[file.name] = await base64Of(file);
  return body;
}
