/**
 * Bank-account integrity at import (issues 13 and 16). A spreadsheet keeps 15 significant digits: a 16–19
 * digit card number saved through Excel or LibreOffice comes back as `6.22E+18` or with its last digits
 * turned to zeros, and the month's bank file then pays a wrong account. Card numbers carry a Luhn check
 * digit, so a cut or rewritten card number is caught here, before anyone is paid. Real accounts that are
 * not card numbers (passbooks, corporate accounts) opt out per row with `accountCheck = nonCard`.
 */
import type { Convert } from './cells.js';
import { Problem } from './errors.js';
import type { RowRule } from './table.js';

/** The staff.csv value that says "this account is real but not a card number: no Luhn check". */
export const NON_CARD = 'nonCard';
export const ACCOUNT_CHECKS = [NON_CARD] as const;

const CARD_MIN = 16;
const CARD_MAX = 19;

/** The Luhn (mod 10) check every bank card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The digit that makes `body` + digit pass Luhn (the demo generator and tests make valid cards with it). */
export function luhnCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return String(d);
  throw new Error('unreachable: one of ten digits always completes a Luhn number');
}

const isCardLike = (digits: string) => digits.length >= CARD_MIN && digits.length <= CARD_MAX;

// 6.22E+18, 6.22208E+18, 6,22E+18 (a European decimal comma), 6.2e18.
const SCIENTIFIC = /^\d+([.,]\d+)?[eE][+]?\d+$/;
const FULL_WIDTH_DIGIT = /[\uFF10-\uFF19]/;

export const LOST_DIGITS_ADVICE = {
  zh: '请从原始来源（银行回单、人事系统）重新填写完整账号，并把该列设置为“文本”格式后再保存',
  en: 'type the full account again from its source (bank statement, HR system) and format the column as Text before saving',
};

export const lostDigitsProblem = () =>
  new Problem(
    'bankAccount.lostDigits',
    `账号被电子表格改成了科学计数法（如 6.22E+18），后几位数字已经丢失、无法恢复（Excel/WPS/LibreOffice 只保留 15 位有效数字）：${LOST_DIGITS_ADVICE.zh}`,
    `the spreadsheet turned the account into scientific notation (like 6.22E+18): its last digits are already lost and cannot be recovered (Excel, WPS and LibreOffice keep 15 significant digits): ${LOST_DIGITS_ADVICE.en}`,
  );

export const fullWidthDigitsProblem = (rule: 'bankAccount.format' | 'value.fullWidth') =>
  new Problem(
    rule,
    '含全角数字（０１２…）：请改为半角数字（012…），可在输入法中切换到半角',
    'contains full-width digits (０１２…): use ordinary half-width digits (012…); switch the input method to half-width',
  );

/** The bankAccount cell: digits only, with the spreadsheet mistakes named for what they are. */
export const bankAccount: Convert<string> = (text) => {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return trimmed;
  if (SCIENTIFIC.test(trimmed)) return lostDigitsProblem();
  if (FULL_WIDTH_DIGIT.test(trimmed)) return fullWidthDigitsProblem('bankAccount.format');
  return new Problem(
    'bankAccount.format',
    '银行账号只能包含数字（不要有空格或横线）',
    'a bank account may contain digits only (no spaces or dashes)',
  );
};

/** Card-like accounts must pass Luhn unless the row says the account is not a card number. */
export const accountRule: RowRule<{ bankAccount?: string; accountCheck?: string }> = {
  reads: ['bankAccount', 'accountCheck'],
  check: (row, report) => {
    const account = row.bankAccount;
    if (account === undefined || row.accountCheck === NON_CARD) return;
    if (isCardLike(account) && !luhnValid(account)) {
      report(
        'bankAccount',
        new Problem(
          'bankAccount.luhn',
          `这个 ${account.length} 位账号未通过银行卡校验位（Luhn）检查：最后几位很可能被电子表格截断或改写了（超过 15 位的数字会被改成 0）。${LOST_DIGITS_ADVICE.zh}。若它确实不是银行卡号（存折、对公账号），在 accountCheck 列填 ${NON_CARD}`,
          `this ${account.length}-digit account fails the bank-card check digit (Luhn): its last digits were probably cut or rewritten by a spreadsheet (digits after the 15th become 0). ${LOST_DIGITS_ADVICE.en}. If it really is not a card number (a passbook or corporate account), write ${NON_CARD} in the accountCheck column`,
        ),
      );
    }
  },
};

/** A person's name: NFC (so 王 typed two ways is one name to the bank), and no full-width space. */
export const personName: Convert<string> = (text) => {
  const normalized = text.normalize('NFC');
  if (normalized.includes('\u3000')) {
    return new Problem(
      'name.fullWidthSpace',
      '姓名含全角空格（　）：银行核对户名时会不一致，请删除或改为半角空格',
      'the name contains a full-width space (　): the bank would not match it to the account holder; remove it or use an ordinary space',
    );
  }
  return normalized;
};

/**
 * Look-alike letters of other scripts mapped to the Latin letter they are mistaken for (a subset of
 * Unicode's confusables for the letters ids are made of): `С01` with a Cyrillic С is not `C01`.
 * Capitals are mapped before case is folded (Greek Η looks like H, its small η like n).
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic capitals and small letters
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  У: 'Y',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  // Greek capitals and small letters
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ν: 'v',
  ι: 'i',
  α: 'a',
  κ: 'k',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/** Printable ASCII (nearly every id of a file): its own NFKC form, no look-alike, so only case folds. */
const ASCII = /^[ -~]*$/;

/** The form two ids share when a reader cannot tell them apart: width folded (NFKC), look-alikes, case. */
export function idSkeleton(id: string): string {
  if (ASCII.test(id)) return id.toLowerCase();
  let out = '';
  for (const ch of id.normalize('NFKC')) out += LOOK_ALIKES[ch] ?? ch;
  return out.toLowerCase();
}
