/** Node child processes for the tests that run the CLI or a helper script as a user would, output kept. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** `node --import tsx <args>` from the project root, without Ozon credentials (the sandbox), tracked in `children`. */
export function spawnTsx(args: string[], children: ChildProcess[], options: { detached?: boolean } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OZON_CLIENT_ID: '', OZON_API_KEY: '' },
  });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => {
    output.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}
