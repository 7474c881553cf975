/**
 * `npm run console -- --stack <name>`: the console against a deployed stack, served on 127.0.0.1 with the
 * operator's AWS credentials (the default chain, or `--profile`). Read-only until the seller signs in with the
 * seller API key (the SellerApiKey secret); nothing is deployed or run in AWS for it.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Language } from '#shared/alert-text';
import { awsSource } from './aws-source';
import { findStack } from './aws-stack';
import { startConsole } from './server';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('a port number (0: a free one)');
  return n;
};

interface Options {
  stack: string;
  region?: string;
  profile?: string;
  port: number;
  language: Language;
}

const program = new Command('console')
  .description('the seller and ops console against a deployed ozon-autopilot stack')
  .requiredOption('--stack <name>', 'the CloudFormation stack name (as deployed with npm run cdk deploy)')
  .option('--region <region>', 'the stack’s region (default: AWS_REGION or the profile’s)')
  .option('--profile <profile>', 'the AWS profile whose credentials to use (default: the SDK’s default chain)')
  .option('--port <n>', 'the port on 127.0.0.1 (4780, or a free one when it is taken; 0: a free one)', port, 4780)
  .addOption(new Option('--language <lang>', 'the console’s language').choices(['en', 'ru', 'zh']).default('en'))
  .action(async (opts: Options) => {
    // The SDK reads these when the first client is made: the product's stores and this CLI's alike.
    if (opts.profile) process.env.AWS_PROFILE = opts.profile;
    if (opts.region) process.env.AWS_REGION = opts.region;
    const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      console.error('No region: pass --region or set AWS_REGION');
      process.exit(2);
    }
    process.env.AWS_REGION = region;
    const stack = await findStack(opts.stack, region);
    const server = await startConsole({ source: awsSource(stack), language: opts.language, port: opts.port });
    console.log(`console ${server.url} (stack ${stack.name}, ${region}; Ctrl-C to stop)`);
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

await program.parseAsync().catch((error: Error) => {
  console.error(`The console could not start: ${error.message}`);
  process.exit(1);
});
