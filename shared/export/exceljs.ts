/**
 * exceljs, loaded when a workbook is first read or written. Imported at the top of a module it came with
 * every command whose code could reach a workbook: ~300 modules (its zip and stream packages, an ES
 * polyfill tree), ~0.2 s of a start-up's CPU, on the main thread of `demo` and `year` too, whose
 * workbooks are written on the year's file thread (issue 17). Types stay `import type`.
 */
import type ExcelJS from 'exceljs';

export type ExcelJs = typeof ExcelJS;

let loading: Promise<ExcelJs> | undefined;

export function loadExcelJs(): Promise<ExcelJs> {
  loading ??= import('exceljs').then((module) => (module.default ?? module) as ExcelJs);
  return loading;
}
