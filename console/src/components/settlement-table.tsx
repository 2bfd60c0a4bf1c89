/**
 * The fund-settlement tables of the bulletins (report documents, amounts in integer fen) and of the
 * review queue (review details, amounts as yuan strings): the columns they share, the annual appraisal
 * by institution and the key–value tables. `money` formats whichever kind of amount the page has.
 */
import { type MessageKey, type Translate, useI18n } from '../i18n';
import { type Column, DataTable } from './data-table';

/**
 * The institution as its row's header: name and id where the rows have a name, else the id alone; with
 * `link`, a link to the institution's explanation (why its pool and score are what they are).
 */
export function institutionColumn(
  t: Translate,
  link?: (institutionId: string) => string,
): Column<{ institutionId: string; name?: string }> {
  const label = (i: { institutionId: string; name?: string }) =>
    i.name === undefined ? (
      i.institutionId
    ) : (
      <>
        {i.name} <span class="id">{i.institutionId}</span>
      </>
    );
  return {
    header: t('institution'),
    rowHeader: true,
    cell: (i) => (link ? <a href={link(i.institutionId)}>{label(i)}</a> : label(i)),
  };
}

/** Score and grade. */
export function scoreColumns(t: Translate): Column<{ score: string; grade: string }>[] {
  return [
    { header: t('score'), num: true, cell: (i) => i.score },
    { header: t('grade'), cell: (i) => i.grade },
  ];
}

/** The amount `key` of each row (headed by the message of that name unless `header`), its total from `totals`. */
export function moneyColumn<K extends string, V>(
  t: Translate,
  key: K,
  money: (value: V) => string,
  options: { header?: MessageKey; totals?: Partial<Record<K, V>>; totalId?: string } = {},
): Column<Partial<Record<K, V>>> {
  const total = options.totals?.[key];
  return {
    header: t(options.header ?? (key as string as MessageKey)),
    num: true,
    cell: (row) => {
      const value = row[key];
      return value === undefined ? '' : money(value);
    },
    total: total === undefined ? undefined : money(total),
    totalId: options.totalId,
  };
}

type PoolKey = 'surplus' | 'fundExtraction' | 'pool';

/** A quarter's surplus, fund extraction and pool; the pool's total, if any, is `data-total="pool"`. */
export function poolColumns<V>(
  t: Translate,
  money: (value: V) => string,
  totals?: Record<PoolKey, V>,
): Column<Record<PoolKey, V>>[] {
  return [
    moneyColumn(t, 'surplus', money, { totals }),
    moneyColumn(t, 'fundExtraction', money, { totals }),
    moneyColumn(t, 'pool', money, { totals, totalId: 'pool' }),
  ];
}

type AppraisalKey =
  | 'reserve'
  | 'reserveReleased'
  | 'insurancePayPart'
  | 'annualBonusPool'
  | 'nextApprovedTotal';

export interface AppraisalRow<V> {
  institutionId: string;
  name?: string;
  score: string;
  grade: string;
  coefficient: string;
  reserve: V;
  reserveReleased: V;
  insurancePayPart?: V;
  annualBonusPool: V;
  nextApprovedTotal: V;
  redListed?: boolean;
}

/** The annual appraisal by institution; the insurance pay part only when asked (`payPart`). */
export function AppraisalTable<V>({
  rows,
  money,
  payPart = false,
  totals,
  link,
}: {
  rows: AppraisalRow<V>[];
  money: (value: V) => string;
  payPart?: boolean;
  totals?: Record<AppraisalKey, V>;
  /** Where an institution's name leads (its explanation). */
  link?: (institutionId: string) => string;
}) {
  const { t } = useI18n();
  const amount = (key: AppraisalKey, header?: MessageKey) => moneyColumn(t, key, money, { totals, header });
  const columns: Column<AppraisalRow<V>>[] = [
    institutionColumn(t, link),
    ...scoreColumns(t),
    { header: t('coefficient'), num: true, cell: (i) => i.coefficient },
    amount('reserve'),
    amount('reserveReleased'),
    ...(payPart ? [amount('insurancePayPart', 'payPart')] : []),
    amount('annualBonusPool'),
    amount('nextApprovedTotal'),
  ];
  return (
    <DataTable
      caption={t('settlementInstitutions')}
      columns={columns}
      rows={rows}
      rowKey={(i) => i.institutionId}
      rowClass={(i) => (i.redListed ? 'red-list' : undefined)}
    />
  );
}

/** Labelled figures, one a row; a row's third entry is its cell's `data-total`. */
export function KeyValues({ caption, rows }: { caption: string; rows: [string, string, string?][] }) {
  return (
    <table class="data kv">
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([label, value, total]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td class="num" data-total={total}>
              {value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
