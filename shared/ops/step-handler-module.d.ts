/** The module esbuild substitutes for each workflow function's bundle (functions/lambda-entry.ts). */
declare module 'medcomm-step-handler' {
  export function handler(event: unknown, context?: unknown): Promise<unknown>;
}
