/**
 * cdk-nag findings we accept, each with the reason a reviewer can check. Everything else must be fixed.
 * (cdk-nag v3 ids read `Pack::Rule[finding]`.)
 */
import { ArnFormat, type CfnElement, type Stack, Token, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

const ACKNOWLEDGED = [
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch logs; table, state-machine and X-Ray access are separate inline least-privilege policies.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only X-Ray trace writes and CloudWatch Logs delivery for state machines use resource "*": AWS supports no narrower resource for those actions.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-L1',
    reason:
      'The product owner fixed the Lambda runtime at nodejs22.x (the code is tested on Node 20/22); moving to a newer runtime is a deliberate, tested upgrade, not a lint fix.',
  },
];

export function acknowledgeNagFindings(stacks: Stack[]): void {
  for (const stack of stacks) for (const finding of ACKNOWLEDGED) Validations.of(stack).acknowledge(finding);
}

/**
 * Step Functions' generated policy invokes `<function>:*` (any version of our own function) — one
 * finding per function, acknowledged by name.
 */
export function acknowledgeFunctionVersions(stack: Stack, functions: readonly IFunction[]): void {
  for (const fn of functions) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    Validations.of(stack).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'Step Functions may invoke any version of this one function of ours (CDK grants <function>:*); no other resource is reachable.',
    });
  }
}

/**
 * `actions` on every execution of the named state machines (`…:execution:<machine>:*`): executions are
 * named at run time (shared/app/sfn-port.ts), so the resource ends in `*` — one finding per machine,
 * acknowledged by its exact text.
 */
export function grantOnExecutions(
  stack: Stack,
  grantee: IGrantable,
  machineNames: readonly string[],
  actions: string[],
): void {
  const arnOf = (name: string) =>
    stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${name}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions, resources: machineNames.map(arnOf) }),
  );
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  for (const name of machineNames)
    Validations.of(stack).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${name}:*]`,
      reason: `${actions.join(', ')} on the executions of our own ${name} state machine only; execution names are made at run time.`,
    });
}
