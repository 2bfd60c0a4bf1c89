/**
 * The names of the shipped bank-file formats, without the formats themselves: the CLI offers them as
 * choices when it parses its command line, before (and without) loading the writers and exceljs.
 * test/unit/export/bank-formats.test.ts holds this list to BANK_FORMAT_PRESETS.
 */
export const BANK_FORMAT_NAMES = [
  '批量代发',
  '代发-按单位-txt',
  '代发-xlsx',
  '代发-utf8-csv',
  '代发-按付款账户',
  '代发-身份证-xls',
] as const;
