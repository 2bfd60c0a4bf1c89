/**
 * Where the audit chain's trust lives outside the table: the HMAC key in Secrets Manager and the chain's
 * anchors in an S3 bucket with Object Lock (compliance mode: no one, root included, can overwrite or
 * delete an anchor while it is retained). Every function that appends to or verifies the chain gets read
 * access to the key, write/read access to the anchors, and both names in its environment.
 */
import { Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

const ANCHORS = 'audit-anchors/*';
const ANCHOR_BUCKET_PREFIX = 'medcomm-audit-anchors';

/**
 * The anchor bucket's name, the same in every stack of one account and region: functions in other stacks
 * name it from their own pseudo parameters instead of importing it (no cross-stack export to pin).
 */
const anchorBucketName = (stack: Stack) => `${ANCHOR_BUCKET_PREFIX}-${stack.account}-${stack.region}`;

export class AuditTrail extends Construct {
  readonly key: Secret;
  readonly anchors: Bucket;

  constructor(scope: Construct, id: string, props: { retentionDays?: number } = {}) {
    super(scope, id);
    this.key = new Secret(this, 'Key', {
      description: 'MedComm Pay audit chain HMAC key (never stored in the table)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.anchors = new Bucket(this, 'Anchors', {
      bucketName: anchorBucketName(Stack.of(this)),
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.retentionDays ?? 3650)),
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'The HMAC key verifies the whole audit chain from its first record: rotating it would make every earlier record unverifiable. It is read only by the product functions granted here.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-S1',
        reason:
          'The anchor bucket is written only by the product functions, once per audit append, and every such write is itself an audit record; objects are locked in compliance mode, so access logs would add no protection.',
      },
    );
  }

  /**
   * The object-level grant names the anchors' prefix (a wildcard cdk-nag flags); acknowledged once per
   * stack that holds granted functions.
   */
  static acknowledgeAnchorPrefix(stack: Stack): void {
    // As cdk-nag prints it: pseudo parameters in brackets, a concrete region or account as written.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const bucket = `${ANCHOR_BUCKET_PREFIX}-${shown(stack.account, 'AccountId')}-${shown(stack.region, 'Region')}`;
    Validations.of(stack).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${ANCHORS}]`,
      reason:
        'Functions put and read audit anchors only under the anchors prefix of the Object Lock bucket: one object per chain head, whose names are not known in advance.',
    });
  }

  /** Lets a function key and anchor the chain (shared/aws/audit-secrets.ts reads the two names). */
  grant(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.key.secretArn] }),
    );
    // Exactly what shared/aws/audit-secrets.ts calls: put an anchor, list the newest, read it.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${anchorBucketName(Stack.of(fn))}/${ANCHORS}`],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${Aws.PARTITION}:s3:::${anchorBucketName(Stack.of(fn))}`],
        conditions: { StringLike: { 's3:prefix': [ANCHORS] } },
      }),
    );
    fn.addEnvironment('AUDIT_KEY_SECRET_ARN', this.key.secretArn);
    fn.addEnvironment('AUDIT_ANCHOR_BUCKET', anchorBucketName(Stack.of(fn)));
  }
}
