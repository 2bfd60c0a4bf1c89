/** Entry point of `cdk synth` / `cdk deploy` (see cdk.json): the app with cdk-nag checks on. */
import { buildApp } from './app.js';

buildApp().app.synth();
