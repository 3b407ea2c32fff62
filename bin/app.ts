/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy --all`): Switchyard in the home region and
 * alarm forwarding in the other workload regions, configured from context (see cdk.json and
 * docs/deploy-to-aws.md).
 */
import { App } from 'aws-cdk-lib';
import { addSwitchyardStacks, settingsFromContext } from '../lib/app';

const app = new App();
addSwitchyardStacks(app, settingsFromContext(app));
app.synth();
