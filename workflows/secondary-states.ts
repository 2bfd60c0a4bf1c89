/**
 * State names of the §9.1 wait that code outside the CDK graph needs (the local engine resumes there);
 * kept apart from workflows/secondary.ts so reading them loads no CDK.
 */
export const SECONDARY_CHOICE = 'SecondaryManual';
/** The Map of waits: the state the local engine re-enters when the window closes. */
export const SECONDARY_WAIT_MAP = 'AwaitSecondaryEach';
export const SECONDARY_WAIT = 'AwaitSecondary';
