import { parseCliArgs, USAGE } from './cli-args.js';
import { startLlamaDouble } from './llama-double.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  const loading = config.loadingMs > 0;
  const double = await startLlamaDouble({
    ...config.options,
    ...(loading ? { mode: 'loading' as const } : {}),
    port: config.port,
    host: config.host,
  });
  console.log(`llama.cpp double listening on ${double.url} (pid ${process.pid})`);
  if (loading) {
    setTimeout(() => {
      double.setMode('ok');
      console.log('llama.cpp double: model loaded');
    }, config.loadingMs).unref();
  }
  const stop = () => {
    void double.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
