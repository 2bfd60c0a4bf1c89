/**
 * What the China regions (Beijing cn-north-1, Ningxia cn-northwest-1; partition aws-cn) do not offer,
 * as far as this product's templates can touch it — the one list the aws-cn synth is checked against
 * (test/infra/partitions.test.ts). Each entry names its source; re-read them before adding a service.
 */

export interface Unavailable {
  /** CloudFormation resource types that cannot be created in either China region. */
  types: readonly string[];
  why: string;
  source: string;
}

export const CHINA_UNAVAILABLE_TYPES: readonly Unavailable[] = [
  {
    types: [
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolDomain',
      'AWS::Cognito::UserPoolGroup',
      'AWS::Cognito::UserPoolUser',
      'AWS::Cognito::UserPoolUserToGroupAttachment',
      'AWS::Cognito::UserPoolIdentityProvider',
      'AWS::Cognito::UserPoolResourceServer',
      'AWS::Cognito::UserPoolRiskConfigurationAttachment',
      'AWS::Cognito::UserPoolUICustomizationAttachment',
      'AWS::Cognito::ManagedLoginBranding',
    ],
    why: 'Cognito user pools are not offered in Beijing; Ningxia has no Cognito at all.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/cognito.html',
  },
  {
    types: ['AWS::CloudFront::OriginAccessControl'],
    why: 'CloudFormation in China answers "Unrecognized resource types: [AWS::CloudFront::OriginAccessControl]"; use an origin access identity.',
    source: 'https://github.com/awslabs/aws-solutions-constructs/issues/1050',
  },
  {
    types: ['AWS::Lambda::Url'],
    why: 'Lambda function URLs are not available in the China regions.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html',
  },
  {
    types: ['AWS::Shield::Protection', 'AWS::Shield::ProactiveEngagement', 'AWS::FMS::Policy'],
    why: 'Shield and Firewall Manager are not available in Beijing and Ningxia.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/waf.html',
  },
];

export interface UnavailableFeature {
  /** Finds the offending resources of a synthesized template (logical ids). */
  find(resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>): string[];
  why: string;
  source: string;
}

const ofType = (
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  type: string,
  test: (p: Record<string, unknown>) => boolean,
) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type && test(r.Properties ?? {}))
    .map(([id]) => id);

/** Features of resource types China does offer, but not in this form. */
export const CHINA_UNAVAILABLE_FEATURES: readonly UnavailableFeature[] = [
  {
    find: (r) =>
      ofType(r, 'AWS::ApiGatewayV2::Authorizer', (p) =>
        JSON.stringify(p.JwtConfiguration ?? {}).includes('cognito-idp'),
      ),
    why: 'API Gateway in China has no Cognito authorizers (and there are no user pools to issue the tokens).',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/api-gateway.html',
  },
  {
    find: (r) =>
      ofType(r, 'AWS::Lambda::Function', (p) => (p.TracingConfig as { Mode?: string })?.Mode === 'Active'),
    why: 'X-Ray integration with Lambda functions is not available in the China regions.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html',
  },
  {
    find: (r) =>
      ofType(r, 'AWS::StepFunctions::StateMachine', (p) =>
        JSON.stringify(p.DefinitionString ?? p.Definition ?? '').includes('states:::http:invoke'),
      ),
    why: 'Step Functions in China cannot call HTTPS APIs (no HTTP Task).',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/step-functions.html',
  },
  {
    find: (r) => ofType(r, 'AWS::DynamoDB::GlobalTable', (p) => p.MultiRegionConsistency === 'STRONG'),
    why: 'DynamoDB global tables with multi-Region strong consistency (MRSC) are not available in China.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/dynamodb.html',
  },
  {
    find: (r) => ofType(r, 'AWS::WAFv2::WebACL', (p) => p.Scope === 'CLOUDFRONT'),
    why: 'WAF is regional only in China: no web ACL for CloudFront.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/waf.html',
  },
  {
    find: (r) =>
      ofType(r, 'AWS::CloudFront::Distribution', (p) => {
        const config = p.DistributionConfig as { Aliases?: unknown[] } | undefined;
        return !config?.Aliases?.length;
      }),
    why: 'CloudFront in China serves no *.cloudfront.cn default domain: an ICP-registered alternate domain is required.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/cloudfront.html',
  },
  {
    find: (r) =>
      ofType(r, 'AWS::CloudFront::Distribution', (p) =>
        /"(CachePolicyId|OriginRequestPolicyId|ResponseHeadersPolicyId)"/.test(JSON.stringify(p)),
      ),
    why: 'CloudFront in China refuses cache, origin request and response headers policies ("The parameter CachePolicyId can\'t be set for this region"); a behaviour there uses the legacy ForwardedValues and TTLs.',
    source: 'https://github.com/aws/aws-cdk/issues/31033',
  },
  {
    // A REST API or domain name without an endpoint type is edge-optimized; HTTP APIs are regional only.
    find: (r) => [
      ...ofType(r, 'AWS::ApiGateway::RestApi', (p) => {
        const types = (p.EndpointConfiguration as { Types?: string[] } | undefined)?.Types ?? ['EDGE'];
        return types.includes('EDGE');
      }),
      ...ofType(r, 'AWS::ApiGateway::DomainName', (p) => {
        const types = (p.EndpointConfiguration as { Types?: string[] } | undefined)?.Types ?? ['EDGE'];
        return types.includes('EDGE');
      }),
    ],
    why: 'API Gateway in China has no edge-optimized APIs or edge-optimized custom domain names.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/api-gateway.html',
  },
  {
    // An alarm on them would never see a data point there (the job runner's alarm watches its SQS queue).
    find: (r) =>
      ofType(r, 'AWS::CloudWatch::Alarm', (p) =>
        /"(AsyncEventsReceived|AsyncEventAge|AsyncEventsDropped)"/.test(JSON.stringify(p)),
      ),
    why: 'Lambda publishes no asynchronous invocation metrics (AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped) in the China regions.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html',
  },
  {
    find: (r) =>
      ofType(r, 'AWS::Lambda::EventInvokeConfig', (p) => {
        const config = p.DestinationConfig as Record<string, { Destination?: unknown }> | undefined;
        return Object.values(config ?? {}).some(({ Destination: to }) => {
          const target = (to as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
          return (
            (target !== undefined && r[target]?.Type === 'AWS::S3::Bucket') ||
            /:s3:::/.test(JSON.stringify(to))
          );
        });
      }),
    why: 'Amazon S3 is not available as a destination of asynchronous invocations in the China regions.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html',
  },
  {
    find: (r) =>
      ofType(
        r,
        'AWS::Lambda::Function',
        (p) => (p.Code as { SourceKMSKeyArn?: unknown })?.SourceKMSKeyArn !== undefined,
      ),
    why: 'Customer managed KMS keys for .zip deployment packages (SourceKMSKeyArn) are not available in the China regions.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/lambda.html',
  },
  {
    find: (r) => ofType(r, 'AWS::ApiGatewayV2::Api', (p) => p.DisableExecuteApiEndpoint !== true),
    why: 'API Gateway in China serves non-IAM auth only on an ICP-registered custom domain; the execute-api endpoint is turned off so that there is no second way in.',
    source: 'https://docs.amazonaws.cn/en_us/aws/latest/userguide/api-gateway.html',
  },
];
