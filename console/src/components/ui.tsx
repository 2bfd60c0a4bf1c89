/** Small shared pieces: page heading (focused on navigation), choices, messages, status badges, data loading. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { CycleStatus } from '../api/types';
import { type MessageKey, useI18n } from '../i18n';

/** The page's h1 takes focus when the page opens, so keyboard and screen-reader users land on it. */
export function PageHeader({ title, intro }: { title: string; intro?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <header class="page-header">
      <h1 ref={ref} tabIndex={-1}>
        {title}
      </h1>
      {intro && <p class="intro">{intro}</p>}
    </header>
  );
}

export function ErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError && error.status > 0 ? ` (HTTP ${error.status})` : '';
  return (
    <div class="alert alert-error" role="alert">
      <p>
        <strong>{t('errorTitle')}</strong>
        {status}
      </p>
      <p class="api-message">{message}</p>
      {onClose && (
        <button type="button" class="link" onClick={onClose}>
          {t('close')}
        </button>
      )}
    </div>
  );
}

/** A labelled choice (`inline`: beside the others in a toolbar). */
export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  inline = true,
}: {
  id: string;
  label: string;
  value: V;
  options: { value: V; label: ComponentChildren }[];
  onChange: (value: V) => void;
  inline?: boolean;
}) {
  return (
    <div class={inline ? 'field inline' : 'field'}>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Notice({
  children,
  tone = 'info',
}: {
  children: ComponentChildren;
  tone?: 'info' | 'success' | 'warning';
}) {
  return (
    <div class={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" role="status">
      {t('loading')}
    </p>
  );
}

export function StatusBadge({ status }: { status: CycleStatus }) {
  const { t } = useI18n();
  return <span class={`badge badge-${status}`}>{t(`status_${status}` as MessageKey)}</span>;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; resolves once the new data (or error) is shown. */
  reload: () => Promise<void>;
}

/** Loads with `load` whenever `deps` change; `reload` fetches again (after an action). */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const waiting = useRef<(() => void)[]>([]);
  const lastTick = useRef(tick);
  // The caller names what the load depends on (as with useEffect).
  useEffect(() => {
    let live = true;
    // Other inputs (another period, another institution): what is on screen no longer answers them, so
    // it goes at once — HR read December's amounts under March's selector. A reload keeps it until the
    // new data arrives.
    const reloading = lastTick.current !== tick;
    lastTick.current = tick;
    setState((s) =>
      reloading ? { ...s, loading: true } : { data: undefined, error: undefined, loading: true },
    );
    const settle = (next: { data: T | undefined; error: unknown }) => {
      if (!live) return;
      setState({ ...next, loading: false });
      for (const done of waiting.current.splice(0)) done();
    };
    load().then(
      (data) => settle({ data, error: undefined }),
      (error: unknown) => settle({ data: undefined, error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(
    () =>
      new Promise<void>((done) => {
        waiting.current.push(done);
        setTick((n) => n + 1);
      }),
    [],
  );
  return { ...state, reload };
}

/** Shows loading, the error (with a retry) or the content. */
export function Async<T>({
  loaded,
  children,
}: {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  const { t } = useI18n();
  if (loaded.error) {
    return (
      <div>
        <ErrorAlert error={loaded.error} />
        <button type="button" onClick={loaded.reload}>
          {t('retry')}
        </button>
      </div>
    );
  }
  if (loaded.data === undefined) return <Loading />;
  return <>{children(loaded.data)}</>;
}
