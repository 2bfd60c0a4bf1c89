/** Pay-sheet and bank-file writers: pure formatting of amounts already computed in fen. */
export { type BankCsvOptions, bankTransferCsv, bankTransferXlsx, maskBankAccount } from './bank.js';
export { paySheetCsv } from './csv.js';
export { ExportError, type ExportErrorCode } from './errors.js';
export { POST_LABELS, postLabel } from './labels.js';
export { fenToYuanNumber, fenToYuanString, sumFen } from './money-format.js';
export { guardText } from './text-guard.js';
export type { AmountKey, BankTransferLine, PaySheet, PaySheetKind, PaySheetLine } from './types.js';
export { paySheetTitle, paySheetXlsx } from './xlsx.js';
