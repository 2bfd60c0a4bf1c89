import { describe, expect, it } from 'vitest';
import {
  MAX_TIMEOUT_SECONDS,
  prepareDefinition,
  TASK_TOKEN_PLACEHOLDER,
} from '../../../shared/local/asl/prepare.js';
import { UnsupportedDefinitionError } from '../../../shared/local/asl/sanitize.js';
import type { AslDefinition } from '../../../shared/local/asl/types.js';

const FN = 'arn:aws:lambda:local:000000000000:function:Fn';
const asl = (states: Record<string, Record<string, unknown>>, startAt = Object.keys(states)[0]!) =>
  ({ StartAt: startAt, States: states }) as AslDefinition;

describe('prepareDefinition', () => {
  it('points $$.Execution.Input at RootInput everywhere the engine reads paths', () => {
    const { definition } = prepareDefinition(
      asl({
        Route: {
          Type: 'Choice',
          Choices: [{ Variable: '$$.Execution.Input.dryRun', BooleanEquals: true, Next: 'Shape' }],
          Default: 'Shape',
        },
        Shape: {
          Type: 'Pass',
          Parameters: {
            'period.$': '$$.Execution.Input.period',
            'label.$': "States.Format('{}-{}', $$.Execution.Input.period, $.x)",
            'inputs.$': '$$.Execution.InputsAreNotTouched',
          },
          End: true,
        },
      }),
    );
    expect(definition.States.Route!.Choices).toEqual([
      { Variable: '$$.Execution.RootInput.dryRun', BooleanEquals: true, Next: 'Shape' },
    ]);
    expect(definition.States.Shape!.Parameters).toEqual({
      'period.$': '$$.Execution.RootInput.period',
      'label.$': "States.Format('{}-{}', $$.Execution.RootInput.period, $.x)",
      'inputs.$': '$$.Execution.InputsAreNotTouched',
    });
  });

  it('replaces $$.Task.Token in a callback task with a placeholder and $$.State.Name with the name', () => {
    const { definition, callbackStates } = prepareDefinition(
      asl({
        'Ask reviewer': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: FN,
            Payload: {
              'token.$': '$$.Task.Token',
              'state.$': '$$.State.Name',
              'link.$': "States.Format('/review/{}', $$.Task.Token)",
            },
          },
          End: true,
        },
      }),
    );
    expect(callbackStates).toEqual(new Set(['Ask reviewer']));
    expect(definition.States['Ask reviewer']!.Parameters).toEqual({
      FunctionName: FN,
      Payload: {
        token: TASK_TOKEN_PLACEHOLDER,
        state: 'Ask reviewer',
        'link.$': `States.Format('/review/{}', '${TASK_TOKEN_PLACEHOLDER}')`,
      },
    });
  });

  it('gives Task states without a timeout the longest timer instead of the engine default of 60 s', () => {
    const { definition } = prepareDefinition(
      asl({
        Plain: { Type: 'Task', Resource: FN, Next: 'Long' },
        Long: { Type: 'Task', Resource: FN, TimeoutSeconds: 99_999_999, Next: 'Short' },
        Short: { Type: 'Task', Resource: FN, TimeoutSeconds: 30, End: true },
      }),
    );
    expect(definition.States.Plain!.TimeoutSeconds).toBe(MAX_TIMEOUT_SECONDS);
    expect(definition.States.Long!.TimeoutSeconds).toBe(MAX_TIMEOUT_SECONDS);
    expect(definition.States.Short!.TimeoutSeconds).toBe(30);
  });

  it('rejects a callback task that never passes its token, and a token read outside a callback task', () => {
    expect(() =>
      prepareDefinition(
        asl({
          Lost: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: FN, 'Payload.$': '$' },
            End: true,
          },
        }),
      ),
    ).toThrow(UnsupportedDefinitionError);
    expect(() =>
      prepareDefinition(
        asl({ Plain: { Type: 'Task', Resource: FN, Parameters: { 'token.$': '$$.Task.Token' }, End: true } }),
      ),
    ).toThrow(/state "Plain": \$\$\.Task\.Token is only available/);
  });
});
