/**
 * 身份证号 (resident identity number, GB 11643-1999) in staff.csv's optional `idNumber` column, which some
 * banks' 批量代发 layouts require beside the account (issue 16). 18 characters: a 6-digit region, the
 * birth date YYYYMMDD, a 3-digit sequence and a check character (ISO 7064 MOD 11-2, 0–9 or X). A number
 * a spreadsheet turned into 1.23E+17, or whose X it dropped, fails here instead of at the bank. The
 * value is personal data: import issues quote it masked (shared/privacy.ts), and it appears in no log,
 * audit entry or explanation — only in the bank files of formats that ask for it.
 */
import type { Convert } from './cells.js';
import { Problem } from './errors.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character of the first 17 digits. */
export function idNumberCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (body.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

function validBirthDate(yyyymmdd: string): boolean {
  const [y, m, d] = [yyyymmdd.slice(0, 4), yyyymmdd.slice(4, 6), yyyymmdd.slice(6, 8)].map(Number) as [
    number,
    number,
    number,
  ];
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const SCIENTIFIC = /^\d+([.,]\d+)?[eE][+]?\d+$/;

/** The idNumber cell: 18 characters with a valid birth date and check character; `x` is written `X`. */
export const idNumber: Convert<string> = (text) => {
  const value = text.trim().toUpperCase();
  if (SCIENTIFIC.test(value)) {
    return new Problem(
      'idNumber.format',
      '身份证号被电子表格改成了科学计数法（如 1.23E+17），后几位已丢失：请从原始证件重新填写，并把该列设置为“文本”格式',
      'the spreadsheet turned the identity number into scientific notation (like 1.23E+17) and its last digits are lost: type it again from the card and format the column as Text',
    );
  }
  if (!/^\d{17}[\dX]$/.test(value)) {
    return new Problem(
      'idNumber.format',
      `身份证号须为 18 位：17 位数字加 1 位校验码（数字或 X），此处为 ${value.length} 个字符`,
      `an identity number has 18 characters: 17 digits and a check character (a digit or X); this one has ${value.length}`,
    );
  }
  if (!validBirthDate(value.slice(6, 14))) {
    return new Problem(
      'idNumber.format',
      '身份证号第 7–14 位的出生日期不是有效日期',
      'characters 7–14 of the identity number are not a valid birth date',
    );
  }
  if (idNumberCheck(value) !== value[17]) {
    return new Problem(
      'idNumber.checksum',
      '身份证号的校验码不符（第 18 位）：请核对证件，常见原因是抄错一位或末尾的 X 被丢掉',
      'the identity number’s check character (the 18th) does not match: check it against the card — usually a mistyped digit or a dropped final X',
    );
  }
  return value;
};
