/**
 * Builds the DynamoDB clients the store uses, for AWS and for DynamoDB Local alike, so retry and
 * marshalling settings are the same everywhere.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { instrumentAwsClient } from '../ops/invocation.js';
import { type AwsLimitsOptions, type AwsLimitsTally, applyAwsLimits } from './aws-limits.js';
import { RequestSlots } from './batch.js';
import { fastJsonStrings } from './sdk-json-strings.js';

/**
 * DynamoDB Local rejects access keys that are not alphanumeric (UnrecognizedClientException on every
 * call); the server runs with -sharedDb, so the values only have to be valid, not secret.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'medcomm', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'local';

/**
 * Requests one local client has in flight at most: the sockets the SDK's HTTP agent opens (50). The SDK
 * starts a request's 2 s connection timer when the request is made, not when it gets a socket, so a
 * request queued in the agent behind 50 slow ones (a province month: 8 batches reading ~50 institutions'
 * 350 KB pages at once from one DynamoDB Local) failed with "the request socket did not establish a
 * connection … within 2000 ms" six attempts running, though the server accepts every connection. Queued
 * here instead, a request gets a socket when it starts and only its own time counts.
 */
export const LOCAL_MAX_IN_FLIGHT = 50;

export interface DynamoClientOptions {
  /** DynamoDB Local's URL (e.g. http://127.0.0.1:8000). Omitted: AWS, with the default credential chain. */
  endpoint?: string;
  /** Omitted: 'local' for an endpoint, otherwise the SDK default (AWS_REGION). */
  region?: string;
  /**
   * Attempts per request, including the first. The SDK's standard retry strategy retries throttling
   * (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded) and transient network
   * errors with jittered backoff; a bulk import on an on-demand table can hit throttling while
   * partitions split, so we allow more than the default 3.
   */
  maxAttempts?: number;
  /**
   * Model AWS's per-partition throughput and item-size limits on a local endpoint (aws-limits.ts); also
   * switched on by MEDCOMM_AWS_LIMITS=1. Never applied to AWS itself, which enforces its own.
   */
  awsLimits?: AwsLimitsOptions | boolean;
  /** Local endpoint only: requests in flight at once (default LOCAL_MAX_IN_FLIGHT); the rest wait their turn. */
  maxInFlight?: number;
}

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** What the AWS-limits model saw, when it is on. */
  awsLimits?: AwsLimitsTally;
}

export function createDynamoClients(options: DynamoClientOptions = {}): DynamoClients {
  const local = options.endpoint !== undefined;
  const config: DynamoDBClientConfig = {
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: 'standard',
  };
  if (local) {
    config.endpoint = options.endpoint;
    config.region = options.region ?? LOCAL_REGION;
    config.credentials = { ...LOCAL_CREDENTIALS };
    // A dead or wrong local endpoint should fail in seconds, not hang the CLI.
    config.requestHandler = { connectionTimeout: 2_000, requestTimeout: 60_000 };
    config.httpAuthSchemes = [LOCAL_AUTH_SCHEME];
  } else if (options.region !== undefined) {
    config.region = options.region;
  }
  // Throttles counted per invocation and, on AWS, traced (shared/ops/invocation.ts).
  const client = instrumentAwsClient(new DynamoDBClient(config));
  // No logger is configured, yet the SDK's logger middleware filters every request's input and answer
  // for its (no-op) logger: a walk over every marshalled item, ~15 ms of a city month's CPU warm and
  // several times that cold. Nothing reads those logs, so the walk is dropped.
  client.middlewareStack.remove('loggerMiddleware');
  // Long strings (blob pages, result pages) written natively, not by the SDK's loop over each character.
  fastJsonStrings(client);
  if (local) {
    boundInFlight(client, options.maxInFlight ?? LOCAL_MAX_IN_FLIGHT);
    // Nobody reads a local request's user agent, which the SDK builds and escapes for every request.
    client.middlewareStack.remove('getUserAgentMiddleware');
  }
  const limits = options.awsLimits ?? (process.env.MEDCOMM_AWS_LIMITS === '1' ? true : undefined);
  const awsLimits = local && limits ? applyAwsLimits(client, limits === true ? {} : limits) : undefined;
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc, ...(awsLimits ? { awsLimits } : {}) };
}

/**
 * At most `max` attempts of this client's requests past the point where the HTTP handler starts them; the
 * others wait (untimed) in order. Each attempt holds its slot until its response is read (the slot wraps the
 * deserializer), so the agent always has a free socket for the next one. Inside the SDK's retry loop: a
 * retried attempt queues again.
 */
function boundInFlight(client: DynamoDBClient, max: number): void {
  const slots = new RequestSlots(max);
  client.middlewareStack.add((next) => (args) => slots.run(() => next(args)), {
    step: 'deserialize',
    name: 'medcommLocalInFlight',
    priority: 'high',
  });
}

/**
 * What a local client sends instead of a SigV4 signature. DynamoDB Local checks neither signatures nor
 * dates (the server runs -sharedDb); it only reads the access key out of the Authorization header. SigV4
 * cost ~0.2 ms of CPU a request (an HMAC of the secret key to look up its cached signing key, the
 * canonical request, the string to sign, two more HMACs): ~0.25 s of a demo year's ~1,200 requests
 * (issue 17). So one header, made once, names the local key in SigV4's form; AWS clients sign as ever.
 */
export const LOCAL_AUTHORIZATION =
  `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20260101/${LOCAL_REGION}/dynamodb/aws4_request, ` +
  `SignedHeaders=host, Signature=${'0'.repeat(64)}`;

type AuthScheme = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>[number];
type HttpRequest = Parameters<AuthScheme['signer']['sign']>[0];

/** The client's SigV4 scheme (its identity as configured) with the fixed header as its signer. */
const LOCAL_AUTH_SCHEME: AuthScheme = {
  schemeId: 'aws.auth#sigv4',
  identityProvider: (config) => config.getIdentityProvider('aws.auth#sigv4'),
  signer: {
    async sign(request: HttpRequest): Promise<HttpRequest> {
      request.headers.authorization = LOCAL_AUTHORIZATION;
      return request;
    },
  },
};
