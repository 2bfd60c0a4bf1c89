/**
 * The app synthesized for both partitions of cdk.json's `medcomm.targets` (as `npm run synth` does), with
 * cdk-nag on: the aws-cn synth uses nothing the China regions lack (infra/china-availability.ts), its API
 * authorizes with the configured OIDC issuer on the ICP domain, and each target's console origin is the
 * one the API's CORS allows.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS } from '../../functions/registry.js';
import { buildApp, STACK_NAMES } from '../../infra/app.js';
import { CHINA_UNAVAILABLE_FEATURES, CHINA_UNAVAILABLE_TYPES } from '../../infra/china-availability.js';
import { loadTargets, selectTarget } from '../../infra/targets.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const offline = { 'aws:cdk:bundling-stacks': [] };

function synth(target: 'aws' | 'aws-cn') {
  const { app } = buildApp({ target, builtinCloudFormationValidation: false, context: offline });
  const assembly = app.synth();
  const resources: Resources = {};
  const byStack: Record<string, Resources> = {};
  const outputs: Record<string, unknown> = {};
  for (const name of Object.values(STACK_NAMES)) {
    const template = assembly.getStackByName(name).template as {
      Resources: Resources;
      Outputs?: Record<string, unknown>;
    };
    byStack[name] = template.Resources;
    Object.assign(resources, byStack[name]);
    Object.assign(outputs, template.Outputs ?? {});
  }
  return { resources, outputs, api: byStack[STACK_NAMES.api]!, workflows: byStack[STACK_NAMES.workflows]! };
}

let cn: ReturnType<typeof synth>;
let global: ReturnType<typeof synth>;
const config = selectTarget(new App(), 'aws-cn');

beforeAll(() => {
  // cdk-nag runs as a validation plugin in both: an unacknowledged finding throws here.
  cn = synth('aws-cn');
  global = synth('aws');
}, 120_000);

const ofType = (r: Resources, type: string) => Object.values(r).filter((x) => x.Type === type);

describe('the aws-cn synth', () => {
  it('contains no resource type the China regions lack', () => {
    const lacking = new Set(CHINA_UNAVAILABLE_TYPES.flatMap((u) => u.types));
    const used = new Set(Object.values(cn.resources).map((r) => r.Type));
    expect([...used].filter((t) => lacking.has(t))).toEqual([]);
    // The check can fail: the global synth does use one of them (Cognito).
    expect([...new Set(Object.values(global.resources).map((r) => r.Type))].some((t) => lacking.has(t))).toBe(
      true,
    );
  });

  it('uses no feature the China regions lack (Cognito authorizer, Lambda X-Ray, default CloudFront domain, execute-api endpoint)', () => {
    for (const feature of CHINA_UNAVAILABLE_FEATURES)
      expect(feature.find(cn.resources), feature.why).toEqual([]);
    const globalHits = CHINA_UNAVAILABLE_FEATURES.flatMap((f) => f.find(global.resources));
    expect(globalHits.length).toBeGreaterThan(0);
  });

  it('would catch a state machine calling an HTTPS API or an edge-optimized REST API (neither in China), and names a source for every entry', () => {
    const machine: Resources = {
      Caller: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          DefinitionString: '{"States":{"Call":{"Resource":"arn:aws-cn:states:::http:invoke"}}}',
        },
      },
    };
    expect(CHINA_UNAVAILABLE_FEATURES.flatMap((f) => f.find(machine))).toEqual(['Caller']);
    // An edge-optimized REST API (the default endpoint type) is caught; a regional one is not.
    const rest: Resources = {
      Edge: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
      Regional: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: { EndpointConfiguration: { Types: ['REGIONAL'] } },
      },
    };
    expect(CHINA_UNAVAILABLE_FEATURES.flatMap((f) => f.find(rest))).toEqual(['Edge']);
    // Lambda in China: no asynchronous invocation metrics, no S3 destination, no KMS key for the package;
    // an alarm on a queue and a queue as the destination (what the job runner uses) are fine.
    const lambda: Resources = {
      Dropped: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { Namespace: 'AWS/Lambda', MetricName: 'AsyncEventsDropped' },
      },
      QueueDepth: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' },
      },
      Failed: { Type: 'AWS::S3::Bucket', Properties: {} },
      Dead: { Type: 'AWS::SQS::Queue', Properties: {} },
      ToBucket: {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Failed', 'Arn'] } } },
        },
      },
      ToQueue: {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dead', 'Arn'] } } } },
      },
      Sealed: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Bucket: 'b', S3Key: 'k', SourceKMSKeyArn: 'arn:aws-cn:kms:cn-north-1:1:key/x' },
        },
      },
    };
    expect(CHINA_UNAVAILABLE_FEATURES.flatMap((f) => f.find(lambda)).sort()).toEqual([
      'Dropped',
      'Sealed',
      'ToBucket',
    ]);
    expect(CHINA_UNAVAILABLE_FEATURES.flatMap((f) => f.find(cn.workflows))).toEqual([]);
    for (const entry of [...CHINA_UNAVAILABLE_TYPES, ...CHINA_UNAVAILABLE_FEATURES])
      expect(entry.source).toMatch(/^https:\/\//);
  });

  it('authorizes every route with a JWT from the configured OIDC issuer and audience', () => {
    const [authorizer] = ofType(cn.api, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer!.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: config.identity.issuer, Audience: config.identity.audience },
    });
    for (const route of ofType(cn.api, 'AWS::ApiGatewayV2::Route'))
      expect(route.Properties!.AuthorizationType).toBe('JWT');
  });

  it('serves the API on the ICP-registered domain only, and tells every function which claims hold user and groups', () => {
    const [domain] = ofType(cn.api, 'AWS::ApiGatewayV2::DomainName');
    expect(domain!.Properties!.DomainName).toBe(config.apiDomain!.name);
    expect(ofType(cn.api, 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(1);
    // Every route function; the API's job runner (RunApiJob, issue 12) reads no token.
    const routeFunctions = ofType(cn.api, 'AWS::Lambda::Function').filter(
      (fn) => fn.Properties!.Description !== ALL_FUNCTIONS.RunApiJob.description,
    );
    expect(routeFunctions.length).toBeGreaterThan(10);
    for (const fn of routeFunctions)
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        GROUP_CLAIM: config.identity.groupClaim,
        USER_CLAIM: config.identity.userClaim,
      });
  });

  it('hosts the console behind CloudFront on its ICP domain with an IAM certificate, the bucket read through an origin access identity', () => {
    const [distribution] = ofType(cn.api, 'AWS::CloudFront::Distribution');
    const dc = distribution!.Properties!.DistributionConfig as Record<string, unknown>;
    expect(dc.Aliases).toEqual([config.console.domain]);
    expect(dc.ViewerCertificate).toMatchObject({ IamCertificateId: config.console.iamCertificateId });
    expect(ofType(cn.api, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toHaveLength(1);
    // No cache or response headers policy (CloudFront in China refuses them): the legacy cache settings.
    const behavior = dc.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior).not.toHaveProperty('CachePolicyId');
    expect(behavior).not.toHaveProperty('ResponseHeadersPolicyId');
    expect(behavior).toMatchObject({
      ForwardedValues: { QueryString: false },
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    // Outside China the managed policies stay.
    const [globalDistribution] = ofType(global.api, 'AWS::CloudFront::Distribution');
    expect(
      (globalDistribution!.Properties!.DistributionConfig as { DefaultCacheBehavior: object })
        .DefaultCacheBehavior,
    ).toHaveProperty('ResponseHeadersPolicyId');
  });

  it("lets the console's origin, and only it, call the API and upload to the bucket (CORS)", () => {
    const [api] = ofType(cn.api, 'AWS::ApiGatewayV2::Api');
    expect((api!.Properties!.CorsConfiguration as { AllowOrigins: unknown }).AllowOrigins).toEqual([
      `https://${config.console.domain}`,
    ]);
    const buckets = ofType(cn.api, 'AWS::S3::Bucket').filter((b) => b.Properties!.CorsConfiguration);
    expect(JSON.stringify(buckets.map((b) => b.Properties!.CorsConfiguration))).toContain(
      `https://${config.console.domain}`,
    );
  });
});

describe('the aws synth', () => {
  it('uses Cognito as its OIDC issuer, with a PKCE code-flow client for the hosted console', () => {
    const [authorizer] = ofType(global.api, 'AWS::ApiGatewayV2::Authorizer');
    expect(JSON.stringify(authorizer!.Properties!.JwtConfiguration)).toContain('cognito-idp');
    const [client] = ofType(global.api, 'AWS::Cognito::UserPoolClient');
    expect(client!.Properties).toMatchObject({ AllowedOAuthFlows: ['code'], GenerateSecret: false });
    expect(ofType(global.api, 'AWS::Cognito::UserPoolDomain')).toHaveLength(1);
  });

  it("allows the CloudFront distribution's own domain in CORS and reads the bucket through origin access control", () => {
    const [api] = ofType(global.api, 'AWS::ApiGatewayV2::Api');
    expect(
      JSON.stringify((api!.Properties!.CorsConfiguration as { AllowOrigins: unknown }).AllowOrigins),
    ).toContain('DomainName');
    expect(ofType(global.api, 'AWS::CloudFront::OriginAccessControl')).toHaveLength(1);
  });
});

describe("the README's recipe for a China region", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const recipe = readme.slice(
    readme.indexOf('**Deploying in a China region'),
    readme.indexOf("**AWS's published limits"),
  );
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: { 'medcomm.targets': Record<string, Record<string, unknown>> };
  };

  it('deploys a target cdk.json has, and names outputs the aws-cn stacks have', () => {
    expect(recipe.length).toBeGreaterThan(1_000);
    const target = /-c medcomm\.target=([\w-]+)/.exec(recipe)?.[1];
    expect(target).toBe('aws-cn');
    expect(cdkJson.context['medcomm.targets'][target!]).toMatchObject({ partition: 'aws-cn' });
    for (const output of ['ApiDomainTarget', 'ConsoleDistributionDomain', 'ConsoleBucketName']) {
      expect(recipe).toContain(output);
      expect(Object.keys(cn.outputs)).toContain(output);
    }
  });

  it('names every setting a China target needs, and synth refuses the target without each, naming it', () => {
    const needed = [
      ['region'],
      ['identity', 'issuer'],
      ['identity', 'audience'],
      ['apiDomain', 'name'],
      ['apiDomain', 'certificateArn'],
      ['console', 'domain'],
      ['console', 'iamCertificateId'],
    ];
    for (const path of needed) {
      expect(recipe, path.join('.')).toContain(path.at(-1));
      const target = structuredClone(cdkJson.context['medcomm.targets']['aws-cn']!);
      let at: Record<string, unknown> = target;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      delete at[path.at(-1)!];
      expect(
        () => loadTargets(new App({ context: { 'medcomm.targets': { 'aws-cn': target } } })),
        path.join('.'),
      ).toThrow(path.at(-1));
    }
    // The claims have defaults (the recipe says which); the synth keeps what cdk.json names.
    expect(recipe).toContain('groupClaim');
    expect(recipe).toContain('userClaim');
  });

  it('builds the console with settings the console reads', () => {
    const declared = readFileSync(new URL('../../console/src/env.d.ts', import.meta.url), 'utf8');
    const named = [...new Set(recipe.match(/VITE_[A-Z_]+/g) ?? [])];
    expect(named).toEqual(expect.arrayContaining(['VITE_AUTH', 'VITE_OIDC_ISSUER', 'VITE_OIDC_CLIENT_ID']));
    for (const name of named) expect(declared, name).toContain(`${name}`);
    // The console's claims must be the API's: the recipe sets both.
    expect(named).toEqual(expect.arrayContaining(['VITE_OIDC_GROUP_CLAIM', 'VITE_OIDC_USER_CLAIM']));
  });
});
