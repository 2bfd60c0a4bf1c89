/**
 * How the API starts its job runner on AWS (issue 12): an asynchronous Invoke (InvocationType Event) of
 * the RunApiJob function with the job's keys. Lambda queues the event and answers 202 at once; the
 * runner has 15 minutes, and an event it fails or never takes goes to the function's on-failure
 * destination (infra/stacks/api-stack.ts). Locally the serve process runs the same runner
 * (shared/local/jobs.ts).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { bilingual } from '../errors.js';
import { instrumentAwsClient } from '../ops/invocation.js';
import type { JobStarter } from './ports.js';

export function lambdaJobStarter(
  functionName: string,
  client = instrumentAwsClient(new LambdaClient({})),
): JobStarter {
  return {
    async start(job) {
      const answer = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ communityId: job.communityId, id: job.id })),
        }),
      );
      // An accepted asynchronous invocation answers 202; anything else queued nothing.
      if (answer.StatusCode !== 202)
        throw new Error(
          bilingual(
            `后台任务未启动（Lambda 返回 ${answer.StatusCode}）`,
            `the job was not started (Lambda answered ${answer.StatusCode})`,
          ),
        );
    },
  };
}
