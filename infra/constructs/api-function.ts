/**
 * The Lambda of one API route group (functions/api/<group>.ts), with the settings every function shares
 * (FUNCTION_DEFAULTS). HandlerFunction is keyed to functions/registry.ts, so the API's entries live here
 * rather than in the workflow registry.
 */

import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_ENTRIES } from '../../functions/api/index.js';
import type { RouteGroup } from '../../shared/api/roles.js';
import { FUNCTION_DEFAULTS, tracingFor } from './handler-function.js';

const apiDir = fileURLToPath(new URL('../../functions/api/', import.meta.url));

/** What the store issues when it reads; writing adds the rest. */
const READ_ACTIONS = ['GetItem', 'Query', 'BatchGetItem'];
const WRITE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'];

export type TableAccess = 'read' | 'read-append' | 'read-write';

export interface ApiFunctionProps {
  group: RouteGroup;
  description: string;
  memoryMb?: number;
  /** API Gateway gives an integration 30 s; a function running longer would answer no one. */
  timeoutSeconds?: number;
}

export class ApiFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: `${apiDir}${API_ENTRIES[props.group]}`,
      ...FUNCTION_DEFAULTS,
      tracing: tracingFor(scope),
      description: props.description,
      memorySize: props.memoryMb ?? 512,
      timeout: Duration.seconds(props.timeoutSeconds ?? 29),
      logGroup,
    });
  }

  /**
   * Item-level access to the table (the store's actions only) and its name in the environment:
   * `read`; `read-append` adds PutItem for the audit trail's conditional appends; `read-write` all.
   */
  bindTable(table: ITable, access: TableAccess = 'read-write'): this {
    const actions =
      access === 'read'
        ? READ_ACTIONS
        : access === 'read-append'
          ? [...READ_ACTIONS, 'PutItem']
          : [...READ_ACTIONS, ...WRITE_ACTIONS];
    this.addToRolePolicy(
      new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
    );
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}
