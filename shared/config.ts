/**
 * Runtime configuration from the environment, parsed once (at a Lambda's cold start, or when the local
 * CLI first needs it after setting the variables).
 */
import { z } from 'zod';
import { configureAuditSecrets } from './store/audit.js';
import { openStore, type Repositories } from './store/index.js';

const Env = z.object({
  TABLE_NAME: z.string().min(1).default('medcomm'),
  /** Set locally (DynamoDB Local); absent on AWS. */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().optional(),
  /** On AWS: the audit chain's HMAC key (Secrets Manager) and the anchors' Object Lock bucket. */
  AUDIT_KEY_SECRET_ARN: z.string().optional(),
  AUDIT_ANCHOR_BUCKET: z.string().optional(),
});
export type Env = z.infer<typeof Env>;

let cached: Repositories | undefined;

export function env(): Env {
  return Env.parse(process.env);
}

/** The repositories for this process, built once. */
export function store(): Repositories {
  if (!cached) {
    const e = env();
    cached = openStore({ endpoint: e.DYNAMODB_ENDPOINT, region: e.AWS_REGION, tableName: e.TABLE_NAME });
    // A Lambda keys and anchors its audit chain from its environment (the local runtime sets its own).
    if (e.AUDIT_KEY_SECRET_ARN || e.AUDIT_ANCHOR_BUCKET)
      configureAuditSecrets(async () => (await import('./aws/audit-secrets.js')).awsAuditSecrets(e));
  }
  return cached;
}

/** Forgets the cached repositories (the local CLI and tests switch endpoints between runs). */
export function resetStore(): void {
  cached = undefined;
}
