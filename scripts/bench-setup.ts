/**
 * npm run bench:setup — the benchmarks' Python references (scikit-learn, onnxruntime, tokenizers,
 * numpy; bench/python/requirements.txt) in a project-local virtual environment, .venv-bench, which
 * `npm run bench` then uses. Needs python3 with venv (Debian: python3-venv) and a package index.
 */
import { setupBenchPython } from '../lib/tooling/bench-python';

setupBenchPython((line) => console.log(`[bench:setup] ${line}`));
