/** The `medcomm` command's Node and V8 settings (bin/node-flags.mjs). */
export declare const RUNTIME_V8_FLAGS: readonly string[];
export declare function shebangFlags(): string[];
