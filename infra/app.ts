import { App } from 'aws-cdk-lib';
import { SECTIONS } from '#shared/config';
import { OzonAutopilotStack } from './stack';

const app = new App();
const language = app.node.tryGetContext('sellerLanguage');

/** `-c settings='{"PARTIAL_CANCEL":"true"}'`: only the documented knobs, so a typo fails the synth instead of a run. */
const KNOBS = Object.keys(SECTIONS.policy.shape);
const raw = app.node.tryGetContext('settings');
const settings: Record<string, string> = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {});
for (const key of Object.keys(settings)) {
  if (!KNOBS.includes(key)) throw new Error(`Unknown setting ${key}; known: ${KNOBS.join(', ')}`);
}
new OzonAutopilotStack(app, 'OzonAutopilot', {
  sellerLanguage: language === 'ru' || language === 'zh' ? language : 'en',
  settings,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
