/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (Node 22+) inside every Task state; on Node 20
 * each Task would fail with a TypeError. Import this module before the engine so the method exists.
 * It installs nothing when the runtime already has it.
 */

type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const PromiseWithMaybeResolvers = Promise as PromiseConstructor & {
  withResolvers?: <T>() => Resolvers<T>;
};

if (typeof PromiseWithMaybeResolvers.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      // `this` keeps subclass semantics (as the spec's NewPromiseCapability(C) does).
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
