import { App } from 'aws-cdk-lib';
import { OzonAutopilotStack } from './stack';

const app = new App();
const language = app.node.tryGetContext('sellerLanguage');
new OzonAutopilotStack(app, 'OzonAutopilot', {
  sellerLanguage: language === 'ru' || language === 'zh' ? language : 'en',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
