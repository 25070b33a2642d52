// The official AsyncAPI parser's verdict on each document named on the command line (or, with
// `--list FILE`, in FILE, one path per line): a JSON array on stdout, one entry per document,
// {file, verdict: "valid" | "invalid" | "timeout", diagnostics: [{severity, code, path, line,
// message}]}. "invalid" means at least one diagnostic of severity 0 (error); warnings (1),
// information (2) and hints (3) leave a document valid.
//
// The parser can spin forever on some $ref cycles, so each document is parsed in a worker thread
// that is terminated after `--timeout-ms` (20 s by default); such a document's verdict is
// "timeout". Two workers parse at once.
//
// Used by tests/it/parser.rs and `cargo xtask corpus --parser`.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import fs from 'node:fs';
import path from 'node:path';

if (isMainThread) {
  await main();
} else {
  const { Parser } = await import('@asyncapi/parser');
  const parser = new Parser();
  parentPort.on('message', async (file) => {
    let result;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const { diagnostics } = await parser.parse(text, { source: file });
      const list = diagnostics.map((d) => ({
        severity: d.severity,
        code: String(d.code),
        path: (d.path || []).map(String),
        line: d.range && d.range.start ? d.range.start.line + 1 : null,
        message: d.message,
      }));
      result = {
        file,
        verdict: list.some((d) => d.severity === 0) ? 'invalid' : 'valid',
        diagnostics: list,
      };
    } catch (e) {
      // The parser throws only for what it cannot read at all; that is its refusal.
      result = {
        file,
        verdict: 'invalid',
        diagnostics: [{ severity: 0, code: 'thrown', path: [], line: null, message: String(e && e.message || e) }],
      };
    }
    parentPort.postMessage(result);
  });
}

async function main() {
  const args = process.argv.slice(2);
  let timeout = 20000;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--timeout-ms') {
      timeout = Number(args[++i]);
    } else if (args[i] === '--list') {
      const listed = fs.readFileSync(args[++i], 'utf8').split('\n').filter((l) => l.trim() !== '');
      files.push(...listed);
    } else {
      files.push(args[i]);
    }
  }
  const results = new Array(files.length);
  let next = 0;
  // A worker parses one document after another; one that overruns is terminated and replaced.
  const runOne = () =>
    new Promise((resolve) => {
      let current = -1;
      let timer = null;
      let worker = null;
      const settle = (result) => {
        clearTimeout(timer);
        results[current] = { ...result, file: files[current] };
      };
      const fresh = () => {
        const w = new Worker(new URL(import.meta.url));
        w.on('message', (result) => {
          settle(result);
          start();
        });
        w.on('error', (e) => {
          settle({
            verdict: 'invalid',
            diagnostics: [{ severity: 0, code: 'crashed', path: [], line: null, message: String((e && e.message) || e) }],
          });
          worker = fresh();
          start();
        });
        return w;
      };
      const start = () => {
        if (next >= files.length) {
          worker.terminate().then(resolve);
          return;
        }
        current = next++;
        timer = setTimeout(() => {
          settle({ verdict: 'timeout', diagnostics: [] });
          worker.terminate();
          worker = fresh();
          start();
        }, timeout);
        worker.postMessage(path.resolve(files[current]));
      };
      worker = fresh();
      start();
    });
  await Promise.all([runOne(), runOne()]);
  process.stdout.write(JSON.stringify(results));
}
