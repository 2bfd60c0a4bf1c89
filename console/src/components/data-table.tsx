/**
 * The console's one data table: a caption, a header row from the columns, a row per item and, when any
 * column has a total, a footer row — "total" over the leading columns without one, each total under its
 * column, and one empty cell over the trailing columns without one. Wrapped for horizontal scrolling
 * unless told otherwise.
 */
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n';

export interface Column<T> {
  header: ComponentChildren;
  /** Right-aligned figures: class "num" on the header, the cells (unless `cellClass`) and the total. */
  num?: boolean;
  /** The cells are the rows' headers (`<th scope="row">`). */
  rowHeader?: boolean;
  /** The header's tooltip. */
  title?: string;
  /** Language of the cells' text. */
  lang?: string;
  /** Needed only for columns made from data (indicators, amounts). */
  key?: string;
  cell: (row: T) => ComponentChildren;
  /** The cell's class, instead of "num". */
  cellClass?: (row: T) => string | undefined;
  /** The column's total in the footer. */
  total?: ComponentChildren;
  /** `data-total` of the total's cell (what tests and readers look it up by). */
  totalId?: string;
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowClass,
  caption,
  tableClass = 'data',
  id,
  scroll = true,
}: {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string | number;
  rowClass?: (row: T) => string | undefined;
  caption?: ComponentChildren;
  tableClass?: string;
  id?: string;
  scroll?: boolean;
}) {
  const numClass = (c: Column<T>) => (c.num ? 'num' : undefined);
  const table = (
    <table class={tableClass} id={id}>
      {caption !== undefined && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c, n) => (
            <th scope="col" class={numClass(c)} key={c.key ?? n} title={c.title}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row, index)} class={rowClass?.(row)}>
            {columns.map((c, n) => {
              const cellClass = c.cellClass ? c.cellClass(row) : numClass(c);
              return c.rowHeader ? (
                <th scope="row" class={cellClass} key={c.key ?? n}>
                  {c.cell(row)}
                </th>
              ) : (
                <td class={cellClass} key={c.key ?? n} lang={c.lang}>
                  {c.cell(row)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
      <Footer columns={columns} />
    </table>
  );
  return scroll ? <div class="table-scroll">{table}</div> : table;
}

function Footer<T>({ columns }: { columns: Column<T>[] }) {
  const { t } = useI18n();
  const first = columns.findIndex((c) => c.total !== undefined);
  if (first < 0) return null;
  const last = columns.findLastIndex((c) => c.total !== undefined);
  const span = (n: number) => (n > 1 ? n : undefined);
  const after = columns.length - 1 - last;
  return (
    <tfoot>
      <tr>
        <th scope="row" colSpan={span(Math.max(first, 1))}>
          {t('total')}
        </th>
        {columns.slice(Math.max(first, 1), last + 1).map((c, n) => (
          <td class={c.num ? 'num' : undefined} key={c.key ?? n} data-total={c.totalId}>
            {c.total}
          </td>
        ))}
        {after > 0 && <td colSpan={span(after)} />}
      </tr>
    </tfoot>
  );
}
