// Extends `expect` with aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …).
import 'aws-sdk-client-mock-vitest/extend';
