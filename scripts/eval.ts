/**
 * Evaluation on real data (docs/RESULTS.md):
 *
 *   npm run eval -- novel-view --data <transforms.json | capture folder> [options]   (scripts/eval/novel-view.ts)
 *   npm run eval -- semantic --room <room|all> --setting oracle|full|both --bank kmeans|instances|both [options]
 *                                                                                      (scripts/eval/semantic.ts)
 *   npm run eval -- voice [--voices a,b] [--speeds 130,170] [--snr none,20,10] [--grammar scene|vocabulary|both]
 *                                                                                      (scripts/eval/voice.ts)
 * With --json the LAST line of stdout is one JSON object with every figure; human output goes to stderr then.
 */
import { parseArgs, runCli, UsageError } from './cli/args';

const args = parseArgs(process.argv.slice(2));
const json = args.options.has('json');
const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');

runCli(async () => {
  const task = args.positionals[0];
  let result: Record<string, unknown>;
  if (task === 'novel-view') {
    const { runNovelView } = await import('./eval/novel-view');
    result = await runNovelView(args, log);
  } else if (task === 'semantic') {
    const { runSemantic } = await import('./eval/semantic');
    result = await runSemantic(args, log);
  } else if (task === 'voice') {
    const { runVoice } = await import('./eval/voice');
    result = await runVoice(args, log);
  } else throw new UsageError('usage: npm run eval -- novel-view --data <transforms.json | capture> [...] | semantic --room <room|all> [...] | voice [...] (see scripts/eval.ts)');
  if (json) console.log(JSON.stringify(result));
});
