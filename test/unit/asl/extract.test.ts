// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation Fn::Sub templates.
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import {
  extractStateMachines,
  findStateMachine,
  localFunctionArn,
  parseLocalFunctionArn,
} from '../../../shared/local/asl/extract.js';
import { cdkHarness } from './cdk-harness.js';

describe('extractStateMachines', () => {
  it('finds every state machine of a synthesized stack and names it by its construct path', () => {
    const h = cdkHarness();
    const score = h.fn('ScoreMonth', { TABLE_NAME: 'pay' });
    const review = h.fn('RequestReview');
    h.stateMachine(
      'MonthlyCycle',
      new tasks.LambdaInvoke(h.stack, 'Score', { lambdaFunction: score, payloadResponseOnly: true }),
    );
    h.stateMachine(
      'QuarterlyCycle',
      new tasks.LambdaInvoke(h.stack, 'Ask reviewer', {
        lambdaFunction: review,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
      }),
      { stateMachineName: 'medcomm-quarterly' },
    );

    const extracted = h.synth();

    expect(extracted.stateMachines.map((sm) => sm.name).sort()).toEqual(['MonthlyCycle', 'QuarterlyCycle']);
    const quarterly = findStateMachine(extracted, 'medcomm-quarterly');
    expect(quarterly.name).toBe('QuarterlyCycle');
    expect(quarterly.path).toBe('AslTest/QuarterlyCycle/Resource');
    expect(quarterly.tasks['Ask reviewer']).toMatchObject({
      integration: 'lambda:invoke.waitForTaskToken',
      resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    });

    const monthly = findStateMachine(extracted, 'MonthlyCycle');
    const scoreId = monthly.taskFunctions.Score!;
    expect(monthly.definition.States.Score!.Resource).toBe(localFunctionArn(scoreId));
    expect(extracted.functions[scoreId]).toMatchObject({
      constructPath: 'ScoreMonth',
      path: 'AslTest/ScoreMonth/Resource',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      environment: { TABLE_NAME: 'pay' },
      code: { ZipFile: 'exports.handler = async () => null;' },
    });
  });

  it('binds Task states inside Map item processors and Parallel branches to their functions', () => {
    const h = cdkHarness();
    const perKey = h.fn('PerKey');
    const left = h.fn('Left');
    const right = h.fn('Right');
    const map = new sfn.Map(h.stack, 'Each key', { itemsPath: '$.keys' });
    map.itemProcessor(new tasks.LambdaInvoke(h.stack, 'Handle key', { lambdaFunction: perKey }));
    const parallel = new sfn.Parallel(h.stack, 'Both')
      .branch(
        new tasks.LambdaInvoke(h.stack, 'Left side', { lambdaFunction: left, payloadResponseOnly: true }),
      )
      .branch(new tasks.LambdaInvoke(h.stack, 'Right side', { lambdaFunction: right }));
    h.stateMachine('Flow', map.next(parallel));

    const extracted = h.synth();
    const flow = findStateMachine(extracted, 'Flow');
    const pathOf = (stateName: string) => extracted.functions[flow.taskFunctions[stateName]!]?.constructPath;

    expect(pathOf('Handle key')).toBe('PerKey');
    expect(pathOf('Left side')).toBe('Left');
    expect(pathOf('Right side')).toBe('Right');
    expect(flow.tasks['Handle key']).toMatchObject({ integration: 'lambda:invoke', scope: ['Each key'] });
    expect(flow.tasks['Left side']).toMatchObject({ integration: 'lambda', scope: ['Both'] });
  });

  it('resolves Fn::Sub, pseudo parameters, aliases and DefinitionSubstitutions in a hand-written template', () => {
    const template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
        Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live' } },
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'hand-written',
            DefinitionString: {
              'Fn::Sub': [
                JSON.stringify({
                  StartAt: 'A',
                  States: {
                    A: { Type: 'Task', Resource: '${FnArn}', Next: 'B' },
                    B: {
                      Type: 'Task',
                      Resource: 'arn:${AWS::Partition}:states:::lambda:invoke',
                      Parameters: {
                        FunctionName: '${Live}',
                        Payload: { table: '${Table}', region: '${AWS::Region}' },
                      },
                      Next: 'C',
                    },
                    C: {
                      Type: 'Pass',
                      Result: { literal: '${!NotSubstituted}', sub: '${!extra}' },
                      End: true,
                    },
                  },
                }),
                { FnArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
              ],
            },
            DefinitionSubstitutions: { extra: { 'Fn::GetAtt': ['Table', 'Arn'] } },
          },
        },
      },
    };

    const [machine] = extractStateMachines(template).stateMachines;

    expect(machine!.name).toBe('hand-written');
    expect(machine!.taskFunctions).toEqual({ A: 'Fn', B: 'Fn' });
    expect(machine!.tasks.B!.qualifier).toBe('live');
    expect(machine!.definition.States.B!.Parameters).toEqual({
      FunctionName: localFunctionArn('Fn', 'live'),
      Payload: { table: 'Table', region: 'local' },
    });
    expect(machine!.definition.States.C!.Result).toEqual({
      literal: '${NotSubstituted}',
      sub: 'arn:aws:dynamodb:local:000000000000:local/Table',
    });
  });

  it('reads placeholder ARNs back and ignores other ARNs', () => {
    expect(parseLocalFunctionArn(localFunctionArn('ScoreMonthABC123'))).toEqual({
      logicalId: 'ScoreMonthABC123',
    });
    expect(parseLocalFunctionArn(localFunctionArn('Fn', '7'))).toEqual({ logicalId: 'Fn', qualifier: '7' });
    expect(parseLocalFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:real')).toBeUndefined();
  });

  it('names the available state machines when asked for one that does not exist', () => {
    const h = cdkHarness();
    h.stateMachine('AnnualCycle', new sfn.Pass(h.stack, 'Noop'));
    expect(() => findStateMachine(h.synth(), 'Monthly')).toThrow(/found: AnnualCycle/);
  });
});
