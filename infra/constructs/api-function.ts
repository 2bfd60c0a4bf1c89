/**
 * The Lambda of one API route group (functions/api/<group>.ts), with the settings every function shares
 * (FUNCTION_DEFAULTS). HandlerFunction is keyed to functions/registry.ts, so the API's entries live here
 * rather than in the workflow registry.
 */

import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_ENTRIES } from '../../functions/api/index.js';
import type { RouteGroup } from '../../shared/api/roles.js';
import { TABLE_ACCESS, tableStatements, usesTable } from '../table-access.js';
import { FUNCTION_DEFAULTS, powertoolsEnvironment, tracingFor } from './handler-function.js';

const apiDir = fileURLToPath(new URL('../../functions/api/', import.meta.url));

export interface ApiFunctionProps {
  group: RouteGroup;
  description: string;
  memoryMb?: number;
  /** API Gateway gives an integration 30 s; a function running longer would answer no one. */
  timeoutSeconds?: number;
}

export class ApiFunction extends NodejsFunction {
  readonly group: RouteGroup;

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
      environment: { ...FUNCTION_DEFAULTS.environment, ...powertoolsEnvironment(scope) },
    });
    this.group = props.group;
  }

  /**
   * Exactly the table access this route group's code uses (infra/table-access.ts: its actions, writes
   * only to its partitions), if any, and the table's name in the environment.
   */
  bindTable(table: ITable): this {
    const access = TABLE_ACCESS[`api:${this.group}`];
    if (!usesTable(access)) return this;
    for (const statement of tableStatements(table, access)) this.addToRolePolicy(statement);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}

/** Whether a route group's code uses the table (and so may append to the audit chain). */
export const apiUsesTable = (group: RouteGroup): boolean => usesTable(TABLE_ACCESS[`api:${group}`]);
