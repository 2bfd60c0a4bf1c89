/** The command line's start-up table of `npm run bench` (measured by bench/cli.ts). */

export interface CliBenchRow {
  what: string;
  wallMs: number;
  cpuMs: number | undefined;
  /** Wall time ÷ the bare node's. */
  ratio: number;
  target?: string;
  met?: boolean;
}

export interface CliBenchResult {
  runs: number;
  nodeWallMs: number;
  nodeCpuMs: number | undefined;
  rows: CliBenchRow[];
}

export function cliTable(result: CliBenchResult): string {
  const lines = [
    `| command (median of ${result.runs} after a warm-up) | wall | CPU | ÷ \`node -e 0\` (${result.nodeWallMs} ms) | target |`,
    '| --- | --- | --- | --- | --- |',
    ...result.rows.map(
      (r) =>
        `| ${r.what} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.cpuMs === undefined ? '—' : `${(r.cpuMs / 1000).toFixed(2)} s`} | ${r.ratio} × | ${r.target}: ${r.met ? 'met' : '**missed**'} |`,
    ),
  ];
  return lines.join('\n');
}
