/**
 * The web console's hosting: a private S3 bucket behind CloudFront. Outside China the bucket is read
 * through origin access control and the distribution may use its own *.cloudfront.net domain. In China
 * CloudFront serves no default domain (an ICP-registered alternate domain with an IAM server certificate
 * is required) and has no origin access control resource type, so the bucket is read through an origin
 * access identity there (see infra/china-availability.ts). `origin` is what the API's CORS allows.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  type CfnDistribution,
  Distribution,
  GeoRestriction,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Target } from '../targets.js';

export interface ConsoleHostingProps {
  target: Target;
  accessLogs: IBucket;
}

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://host` the console is served from. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const { target } = props;
    const china = target.partition === 'aws-cn';
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-bucket/',
      // The files are a build output (npm run console:build), uploaded again on every release.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const origin = china
      ? S3BucketOrigin.withOriginAccessIdentity(this.bucket)
      : S3BucketOrigin.withOriginAccessControl(this.bucket);
    const domain = target.console.domain;
    const acm =
      !china && domain && target.console.certificateArn
        ? Certificate.fromCertificateArn(this, 'Certificate', target.console.certificateArn)
        : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'MedComm Pay web console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      ...(acm && domain
        ? {
            domainNames: [domain],
            certificate: acm,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      httpVersion: HttpVersion.HTTP2,
      // The console's routes live in the URL's hash, so every path is a real object: no error rewrites.
      priceClass: PriceClass.PRICE_CLASS_ALL,
      geoRestriction: GeoRestriction.allowlist(...target.console.countries),
    });
    if (china && domain && target.console.iamCertificateId) {
      // The L2 construct takes ACM certificates only; CloudFront in China needs an IAM one.
      const cfn = this.distribution.node.defaultChild as CfnDistribution;
      cfn.addPropertyOverride('DistributionConfig.Aliases', [domain]);
      cfn.addPropertyOverride('DistributionConfig.ViewerCertificate', {
        IamCertificateId: target.console.iamCertificateId,
        SslSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
    }
    if (china) {
      // CloudFront in China refuses cache and response headers policies ("The parameter CachePolicyId can't
      // be set for this region", aws/aws-cdk#31033; infra/china-availability.ts), which the L2 construct
      // always sets: the behaviour keeps the legacy cache settings there (no query string or cookie in the
      // cache key, CloudFront's default TTLs), and the console's files go without CloudFront's security headers.
      const cfn = this.distribution.node.defaultChild as CfnDistribution;
      cfn.addPropertyDeletionOverride('DistributionConfig.DefaultCacheBehavior.CachePolicyId');
      cfn.addPropertyDeletionOverride('DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId');
      cfn.addPropertyOverride('DistributionConfig.DefaultCacheBehavior.ForwardedValues', {
        QueryString: false,
        Cookies: { Forward: 'none' },
      });
      cfn.addPropertyOverride('DistributionConfig.DefaultCacheBehavior.MinTTL', 0);
      cfn.addPropertyOverride('DistributionConfig.DefaultCacheBehavior.DefaultTTL', 86_400);
      cfn.addPropertyOverride('DistributionConfig.DefaultCacheBehavior.MaxTTL', 31_536_000);
    }
    this.origin = `https://${domain ?? this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'The distribution serves the static console files only (no data, no forms posted to it); every data request goes to the API, which authenticates each call with a JWT and is throttled.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR3',
      reason:
        'Requests for the static console files carry no data; what users do is logged by the API (access log with user and route) and the audit trail. The console bucket itself has S3 server access logs.',
    });
    if (!domain || china)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason: china
          ? 'The viewer certificate is the IAM server certificate set by override with TLSv1.2_2021 (China has no ACM for CloudFront), which the check cannot see.'
          : 'Without a configured console domain the distribution uses its default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; configure console.domain and console.certificateArn to set TLSv1.2_2021.',
      });
    if (china)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR7',
        reason:
          'Origin access control (AWS::CloudFront::OriginAccessControl) is not offered in the China regions; an origin access identity keeps the bucket private there.',
      });
  }
}
