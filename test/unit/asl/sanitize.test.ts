import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { findStateMachine } from '../../../shared/local/asl/extract.js';
import { sanitizeDefinition, UnsupportedDefinitionError } from '../../../shared/local/asl/sanitize.js';
import type { AslDefinition } from '../../../shared/local/asl/types.js';
import { cdkHarness } from './cdk-harness.js';

const single = (name: string, state: Record<string, unknown>): AslDefinition =>
  ({ StartAt: name, States: { [name]: state } }) as AslDefinition;

function problemsOf(definition: AslDefinition): Array<{ stateName?: string; problem: string }> {
  try {
    sanitizeDefinition(definition);
  } catch (error) {
    if (error instanceof UnsupportedDefinitionError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('sanitizeDefinition', () => {
  it('rewrites the IsPresent:false that Condition.isNotPresent emits into Not IsPresent:true', () => {
    const h = cdkHarness();
    const choice = new sfn.Choice(h.stack, 'Has reviewer?')
      .when(sfn.Condition.isNotPresent('$.reviewer'), new sfn.Pass(h.stack, 'Assign default'))
      .otherwise(new sfn.Succeed(h.stack, 'Done'));
    h.stateMachine('Flow', choice);
    const { definition } = findStateMachine(h.synth(), 'Flow');
    expect(definition.States['Has reviewer?']!.Choices).toEqual([
      { Variable: '$.reviewer', IsPresent: false, Next: 'Assign default' },
    ]);

    const { definition: sanitized, rewrites } = sanitizeDefinition(definition);

    expect(sanitized.States['Has reviewer?']!.Choices).toEqual([
      { Not: { Variable: '$.reviewer', IsPresent: true }, Next: 'Assign default' },
    ]);
    expect(rewrites).toContain('state "Has reviewer?": IsPresent:false on $.reviewer → Not IsPresent:true');
    expect(definition.States['Has reviewer?']!.Choices).toEqual([
      { Variable: '$.reviewer', IsPresent: false, Next: 'Assign default' },
    ]);
  });

  it('rewrites every Is*:false inside And, Or and Not as well', () => {
    const { definition } = sanitizeDefinition(
      single('C', {
        Type: 'Choice',
        Choices: [
          {
            And: [{ Variable: '$.a', IsNull: false }, { Not: { Variable: '$.b', IsString: false } }],
            Next: 'C',
          },
        ],
      }),
    );
    expect(definition.States.C!.Choices).toEqual([
      {
        And: [
          { Not: { Variable: '$.a', IsNull: true } },
          { Not: { Not: { Variable: '$.b', IsString: true } } },
        ],
        Next: 'C',
      },
    ]);
  });

  it('guards ordering comparisons by type, because the engine lets JavaScript coerce null < 5 to true', () => {
    const { definition } = sanitizeDefinition(
      single('C', { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 5, Next: 'C' }] }),
    );
    expect(definition.States.C!.Choices).toEqual([
      {
        And: [
          { Variable: '$.n', IsNumeric: true },
          { Variable: '$.n', NumericLessThan: 5 },
        ],
        Next: 'C',
      },
    ]);
  });

  it('drops ResultPath "$" on states and catchers, where the engine would add a key named "$"', () => {
    const { definition } = sanitizeDefinition(
      single('T', {
        Type: 'Task',
        Resource: 'arn:aws:lambda:local:000000000000:function:Fn',
        ResultPath: '$',
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'T', ResultPath: '$' }],
        End: true,
      }),
    );
    expect(definition.States.T).not.toHaveProperty('ResultPath');
    expect(definition.States.T!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'T' }]);
  });

  it('turns a falsy Pass Result into constant Parameters, because the engine tests Result for truthiness', () => {
    const { definition } = sanitizeDefinition(
      single('P', { Type: 'Pass', Result: false, ResultPath: '$.flag', End: true }),
    );
    expect(definition.States.P).toEqual({ Type: 'Pass', Parameters: false, ResultPath: '$.flag', End: true });
  });

  it('rejects a JSONata state synthesized by CDK and names it', () => {
    const h = cdkHarness();
    h.stateMachine(
      'Flow',
      sfn.Pass.jsonata(h.stack, 'Shape result', { outputs: { total: '{% $states.input.a %}' } }),
    );
    const { definition } = findStateMachine(h.synth(), 'Flow');

    expect(() => sanitizeDefinition(definition)).toThrow(UnsupportedDefinitionError);
    expect(problemsOf(definition)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stateName: 'Shape result', problem: expect.stringMatching(/JSONata/) }),
      ]),
    );
  });

  it('rejects what the engine silently ignores: Distributed Map, Assign, heartbeats, tolerated failures', () => {
    const problems = problemsOf({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject' },
          ToleratedFailurePercentage: 5,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'T',
            States: {
              T: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                HeartbeatSeconds: 60,
                End: true,
              },
            },
          },
          Next: 'V',
        },
        V: { Type: 'Pass', Assign: { x: 1 }, End: true },
      },
    } as AslDefinition);

    expect(problems.map((p) => `${p.stateName}: ${p.problem.split(':')[0]}`).sort()).toEqual([
      'M: Distributed Map (ProcessorConfig Mode DISTRIBUTED) runs as an inline Map locally; use INLINE',
      'M: ItemReader',
      'M: ToleratedFailurePercentage',
      'T: HeartbeatSeconds',
      'V: Assign',
    ]);
  });

  it('rejects an intrinsic function in a Fail CausePath, which the engine fails on', () => {
    const problems = problemsOf(
      single('F', { Type: 'Fail', Error: 'Bad', CausePath: "States.Format('{}', $.why)" }),
    );
    expect(problems).toEqual([
      { stateName: 'F', problem: expect.stringMatching(/CausePath with an intrinsic/) },
    ]);
    expect(problemsOf(single('F', { Type: 'Fail', Error: 'Bad', CausePath: '$.why' }))).toEqual([]);
  });
});
