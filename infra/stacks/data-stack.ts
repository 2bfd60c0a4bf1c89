/** The data stack: the single DynamoDB table, encrypted, with point-in-time recovery. */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/store/table.js';
import { AuditTrail } from '../constructs/audit-trail.js';

export class DataStack extends Stack {
  readonly table: TableV2;
  /** The audit chain's key and anchors, outside the table. */
  readonly audit: AuditTrail;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const attr = (k: { name: string }) => ({ name: k.name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      partitionKey: attr(TABLE.partitionKey),
      sortKey: attr(TABLE.sortKey),
      globalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: attr(gsi.partitionKey),
        sortKey: attr(gsi.sortKey),
      })),
      billing: Billing.onDemand(),
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      // Pay records must outlive a mistaken `cdk destroy`.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.audit = new AuditTrail(this, 'AuditTrail');
  }
}
