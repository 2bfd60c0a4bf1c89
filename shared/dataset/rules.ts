/**
 * Every rule an import can break, as a short machine code. The HTTP API, the CLI and the tests match on
 * these codes; the bilingual wording lives next to each check.
 */
export const RULE_CODES = [
  // the folder and its files
  'dir.missing',
  'file.missing',
  'file.unknown',
  'file.tooLarge',
  'file.encoding',
  'file.empty',
  'file.noRows',
  // CSV structure
  'csv.quote',
  'csv.syntax',
  'csv.fieldCount',
  'csv.separator',
  'csv.trailingComma',
  'header.unknown',
  'header.missing',
  'header.duplicate',
  // scheme.json structure
  'json.syntax',
  'json.type',
  'json.required',
  'json.unknownKey',
  'json.duplicateKey',
  // one value
  'value.required',
  'id.format',
  'decimal.format',
  'decimal.range',
  'integer.format',
  'integer.range',
  'amount.format',
  'amount.decimals',
  'amount.negative',
  'amount.range',
  'period.format',
  'period.excelDate',
  'number.thousandsSeparator',
  'enum.value',
  'list.duplicate',
  'bankAccount.format',
  'bankAccount.lostDigits',
  'value.fullWidth',
  'name.fullWidthSpace',
  // one row
  'bankAccount.luhn',
  'workload.attendance',
  'indicator.target.required',
  'indicator.target.range',
  'indicator.floor.required',
  'indicator.linear.equal',
  'indicator.linear.order',
  'indicator.params.bands',
  'indicator.params.number',
  'adjustment.refPeriod.order',
  // the scheme as a whole
  'scheme.grades.empty',
  'scheme.grades.duplicateMin',
  'scheme.grades.duplicateName',
  'scheme.grades.noZero',
  'scheme.tiers',
  'scheme.range.order',
  // across rows and files
  'id.duplicate',
  'id.confusable',
  'bankAccount.shared',
  'ref.unknown',
  'period.year',
  'insurance.year',
  'insurance.rows',
  'indicatorValue.shape',
  'approvedTotal.belowBasicPayroll',
  // against what is stored
  'period.locked',
  'period.in_use',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];
