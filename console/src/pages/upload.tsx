/**
 * Office: import a dataset folder. The files are PUT to the signed links upload-url gives (presigned URLs
 * of the import bucket on AWS, `medcomm serve`'s own /uploads/… on one machine), the import workflow is
 * started (POST …/import-from-upload) and followed (GET …/imports/{id}) until it is imported or refused;
 * where the server has no upload storage (upload-url answers 501: a server embedded without an upload
 * folder) they go to POST /api/datasets as base64. A rejected import shows every issue (file, row, column,
 * value, the rule in Chinese and English).
 */
import { useState } from 'preact/hooks';
import { ApiError, currentCommunity, download, getJson, postJson, setCommunity } from '../api/client';
import type { ImportIssue, ImportJobState, ImportResult } from '../api/types';
import { DataTable } from '../components/data-table';
import { ErrorAlert, Notice, PageHeader } from '../components/ui';
import { datasetBody, isDatasetFile } from '../dataset-files';
import { useI18n } from '../i18n';
import { uploadFiles } from '../uploads';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function isIssue(value: unknown): value is ImportIssue {
  return typeof value === 'object' && value !== null && 'file' in value && 'zh' in value && 'en' in value;
}

/** How often the page asks how an import started from an upload is going. */
const POLL_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Through the upload links: undefined when the server has no upload storage (501), so the body import is used. */
async function importThroughUpload(
  files: readonly File[],
  target: string | undefined,
  progress: (message: string) => void,
  t: ReturnType<typeof useI18n>['t'],
): Promise<ImportJobState | undefined> {
  const prefix = await uploadFiles(files, {
    community: target,
    onUploading: () => progress(t('uploadingFiles', { n: files.length })),
  });
  if (prefix === undefined) return undefined;
  const started = await postJson<{ importId: string }>(
    '/api/datasets/import-from-upload',
    { prefix },
    target,
  );
  for (;;) {
    const state = await getJson<ImportJobState>(`/api/datasets/imports/${started.importId}`, target);
    if (state.status === 'imported' || state.status === 'refused' || state.status === 'failed') return state;
    progress(t(`importState_${state.status}`, { id: started.importId }));
    await sleep(POLL_MS);
  }
}

/** community.id of the folder's scheme.json, if it has one that says. */
async function schemeCommunity(files: readonly File[]): Promise<string | undefined> {
  const scheme = files.find((f) => f.name === 'scheme.json');
  if (!scheme) return undefined;
  try {
    const id = (JSON.parse(await scheme.text()) as { community?: { id?: unknown } }).community?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

export function UploadPage() {
  const { t } = useI18n();
  const [files, setFiles] = useState<File[]>([]);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult>();
  const [issues, setIssues] = useState<ImportIssue[]>();
  const [error, setError] = useState<unknown>();
  const [progress, setProgress] = useState<string>();

  const choose = (list: FileList | null) => {
    const all = [...(list ?? [])];
    setFiles(all.filter(isDatasetFile).sort((a, b) => a.name.localeCompare(b.name)));
    setSkipped(all.filter((f) => !isDatasetFile(f)).map((f) => f.webkitRelativePath || f.name));
    setResult(undefined);
    setIssues(undefined);
    setError(undefined);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (files.length === 0) {
      setError(new Error(t('noFiles')));
      return;
    }
    setBusy(true);
    setResult(undefined);
    setIssues(undefined);
    setError(undefined);
    try {
      // Into the community being worked in; with none chosen yet (a community's first import), into the
      // one its scheme.json names — the API refuses files naming another community than the path's.
      const target = currentCommunity() ?? (await schemeCommunity(files));
      const job = await importThroughUpload(files, target, setProgress, t);
      if (job) {
        if (job.status === 'imported') {
          setResult({
            communityId: job.communityId ?? target ?? '',
            year: job.year ?? 0,
            version: job.version ?? 0,
            importedBy: job.by,
            importedAt: job.updatedAt,
            summary: job.summary ?? [],
          });
          if (job.communityId) setCommunity(job.communityId);
        } else if (job.status === 'refused' && job.issues?.length) {
          setIssues(job.issues);
          setError(new ApiError(422, job.error ?? ''));
        } else {
          setError(new Error(t('importFailed', { id: job.importId, error: job.error ?? '' })));
        }
        return;
      }
      const body = await datasetBody(files);
      const imported = await postJson<ImportResult>('/api/datasets', { files: body }, target);
      setResult(imported);
      setCommunity(imported.communityId);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.issues.every(isIssue))
        setIssues(e.issues as ImportIssue[]);
      setError(e);
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  };

  return (
    <section>
      <PageHeader title={t('page_upload')} intro={t('uploadIntro')} />
      <form class="card form" onSubmit={submit}>
        <div class="field">
          <label for="dataset-folder">{t('folder')}</label>
          {/* webkitdirectory: pick a whole folder; multiple: browsers without folder picking still take files. */}
          <input
            id="dataset-folder"
            type="file"
            multiple
            {...{ webkitdirectory: true }}
            onChange={(e) => choose(e.currentTarget.files)}
          />
        </div>
        {files.length > 0 && (
          <DataTable
            caption={t('chosenFiles')}
            tableClass="data compact"
            scroll={false}
            columns={[
              { header: t('fileName'), cell: (f) => f.name },
              { header: t('size'), num: true, cell: (f) => kib(f.size) },
            ]}
            rows={files}
            rowKey={(f) => f.name}
          />
        )}
        {skipped.length > 0 && <p class="hint">{t('skippedFiles', { names: skipped.join(', ') })}</p>}
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? t('importing') : t('importButton')}
        </button>{' '}
        {busy && progress && (
          <span class="hint" role="status">
            {progress}
          </span>
        )}
        <button
          type="button"
          onClick={() => download('/api/datasets/template', '数据集模板.xlsx').catch(setError)}
        >
          {t('templateDownload')}
        </button>
      </form>

      {result && (
        <Notice tone="success">
          <p>
            {t('importedOk', {
              community: result.communityId,
              year: result.year,
              version: result.version,
              by: result.importedBy,
            })}
          </p>
          <DataTable
            tableClass="data compact"
            scroll={false}
            columns={[
              { header: t('fileName'), cell: (s) => s.file },
              { header: t('rows'), num: true, cell: (s) => s.rows },
              { header: t('encoding'), cell: (s) => s.encoding ?? '' },
            ]}
            rows={result.summary}
            rowKey={(s) => s.file}
          />
        </Notice>
      )}

      {issues ? (
        <IssueTable issues={issues} message={error instanceof Error ? error.message : ''} />
      ) : (
        <ErrorAlert error={error} />
      )}
    </section>
  );
}

interface IssueGroup {
  first: ImportIssue;
  count: number;
  rows: number[];
}

/**
 * One line per file, rule and column (as the CLI and the API's `groups`): a column Excel mangled breaks
 * every row the same way, and a thousand equal lines would hide the one other mistake.
 */
function groupIssues(issues: readonly ImportIssue[]): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();
  for (const issue of issues) {
    const key = JSON.stringify([issue.file, issue.rule, issue.column ?? null]);
    const group = groups.get(key) ?? { first: issue, count: 0, rows: [] };
    group.count++;
    if (issue.row !== undefined && group.rows.length < 5) group.rows.push(issue.row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function IssueTable({ issues, message }: { issues: ImportIssue[]; message: string }) {
  const { t } = useI18n();
  const groups = groupIssues(issues);
  return (
    <div class="alert alert-error" role="alert">
      <h2>{t('issuesTitle', { n: issues.length })}</h2>
      <p class="api-message">{message}</p>
      <DataTable
        tableClass="data issues"
        columns={[
          // A sheet's issue names its workbook and sheet (数据.xlsx › 职工) and the column letter.
          {
            header: t('fileName'),
            cell: (g) => (g.first.sheet ? `${g.first.file}（${g.first.sheet}）` : g.first.file),
          },
          {
            header: t('row'),
            num: true,
            cell: (g) =>
              g.count === 1
                ? (g.first.row ?? '')
                : `${g.rows.join(', ')}${g.count > g.rows.length ? ' …' : ''}`,
          },
          {
            header: t('column'),
            cell: (g) => `${g.first.columnLetter ? `${g.first.columnLetter} ` : ''}${g.first.column ?? ''}`,
          },
          { header: t('value'), cell: (g) => <code>{g.count === 1 ? (g.first.value ?? '') : ''}</code> },
          { header: t('messageZh'), lang: 'zh-CN', cell: (g) => g.first.zh },
          { header: t('messageEn'), lang: 'en', cell: (g) => g.first.en },
          { header: t('rule'), cell: (g) => <code>{g.first.rule}</code> },
          // Last, so the columns before it read as they did before grouping.
          { header: t('issueCount'), num: true, cell: (g) => g.count },
        ]}
        rows={groups}
        // Groups have no id; their order is the server's and fixed for one answer.
        rowKey={(_, i) => i}
      />
    </div>
  );
}
