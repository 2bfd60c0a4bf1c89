/**
 * Where the app deploys: one target per AWS partition, configured in cdk.json's context under
 * `medcomm.targets` (the deployer's copy; `-c medcomm.target=aws|aws-cn` picks one, aws-cn by default).
 * Identity is any OIDC issuer (issuer, audience, the claim holding the groups): the China regions have no
 * Cognito user pools and API Gateway there has no Cognito authorizer, so Cognito is only an option
 * where it exists (`identity.cognito: true`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Construct } from 'constructs';
import { z } from 'zod';

const Identity = z
  .object({
    /** Create a Cognito user pool and use it as the issuer (not in the China regions). */
    cognito: z.boolean().default(false),
    /** The OIDC issuer URL (HTTPS); its `/.well-known/openid-configuration` names the JWKS. */
    issuer: z.string().url().startsWith('https://').optional(),
    /** Accepted `aud` (or `client_id`) values: the console's client id at the identity provider. */
    audience: z.array(z.string().min(1)).default([]),
    /** The claim listing the caller's groups (`cognito:groups` for Cognito, often `groups` elsewhere). */
    groupClaim: z.string().min(1).default('groups'),
    /** The Cognito hosted sign-in's domain prefix (globally unique), when cognito is true. */
    cognitoDomainPrefix: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default('medcomm-pay'),
    /** The claim naming the caller (`username` for Cognito access tokens, `preferred_username` …). */
    userClaim: z.string().min(1).default('preferred_username'),
  })
  .refine((i) => i.cognito || (i.issuer && i.audience.length > 0), {
    message: 'identity needs cognito: true, or an issuer and an audience',
  });

const Target = z.object({
  partition: z.enum(['aws', 'aws-cn']),
  region: z.string().min(1),
  identity: Identity,
  /** API Gateway in China serves non-IAM auth only on an ICP-registered custom domain. */
  apiDomain: z.object({ name: z.string().min(1), certificateArn: z.string().startsWith('arn:') }).optional(),
  console: z
    .object({
      /** The console's own domain (required in China: CloudFront there serves no default domain, ICP). */
      domain: z.string().min(1).optional(),
      /** ACM certificate (us-east-1) for `domain` outside China. */
      certificateArn: z.string().startsWith('arn:').optional(),
      /** In China CloudFront takes an IAM server certificate, not ACM. */
      iamCertificateId: z.string().min(1).optional(),
      /** Countries the console is served to (CloudFront geo restriction). */
      countries: z.array(z.string().length(2)).default(['CN']),
    })
    .default({ countries: ['CN'] }),
});
export type Target = z.infer<typeof Target>;
export type IdentityConfig = Target['identity'];
export type TargetName = Target['partition'];

const Targets = z.record(z.string(), Target);

const cdkJson = fileURLToPath(new URL('../cdk.json', import.meta.url));

/** The targets in the app's context, else cdk.json's (tests build apps without the CLI's context). */
export function loadTargets(scope: Construct): Record<string, Target> {
  const raw =
    scope.node.tryGetContext('medcomm.targets') ??
    (JSON.parse(readFileSync(cdkJson, 'utf8')) as { context: Record<string, unknown> }).context[
      'medcomm.targets'
    ];
  const parsed = Targets.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `cdk.json 的 medcomm.targets 配置有误 / cdk.json context medcomm.targets is invalid: ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  for (const [name, target] of Object.entries(parsed.data)) {
    if (target.partition === 'aws-cn' && target.identity.cognito)
      throw new Error(
        `目标 ${name}：中国区域没有 Cognito 用户池，请配置 OIDC issuer / target ${name}: the China regions have no Cognito user pools; configure an OIDC issuer`,
      );
    if (target.partition === 'aws-cn' && !target.apiDomain)
      throw new Error(
        `目标 ${name}：中国区域的 API 需要 ICP 备案的自定义域名 (apiDomain) / target ${name}: API Gateway in China needs an ICP-registered custom domain (apiDomain)`,
      );
    if (target.partition === 'aws-cn' && !(target.console.domain && target.console.iamCertificateId))
      throw new Error(
        `目标 ${name}：中国区域的控制台需要 ICP 备案域名和 IAM 证书 (console.domain, console.iamCertificateId) / target ${name}: CloudFront in China needs an ICP-registered domain and an IAM server certificate (console.domain, console.iamCertificateId)`,
      );
  }
  return parsed.data;
}

/** The target `-c medcomm.target=…` names (aws-cn when none is named). */
export function selectTarget(scope: Construct, name?: string): Target & { name: string } {
  const targets = loadTargets(scope);
  const chosen = name ?? scope.node.tryGetContext('medcomm.target') ?? 'aws-cn';
  const target = targets[chosen];
  if (!target)
    throw new Error(
      `cdk.json 中没有目标 ${chosen} / no target ${chosen} in cdk.json (have: ${Object.keys(targets).join(', ')})`,
    );
  return { ...target, name: chosen };
}
