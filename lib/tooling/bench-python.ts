import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { projectPath } from '../paths';

/** The project-local virtual environment of the benchmarks' Python references (gitignored). */
export const BENCH_VENV_DIR = projectPath('.venv-bench');
export const BENCH_REQUIREMENTS = projectPath('bench', 'python', 'requirements.txt');

/**
 * The Python the benchmarks run their references with: BSEG_BENCH_PYTHON if set, else the
 * project's .venv-bench (`npm run bench:setup`) when it exists, else python3 from PATH.
 */
export function benchPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BSEG_BENCH_PYTHON) return env.BSEG_BENCH_PYTHON;
  const venvPython = projectPath('.venv-bench', 'bin', 'python');
  return fs.existsSync(venvPython) ? venvPython : 'python3';
}

/**
 * Creates .venv-bench with `python` (python3 unless BSEG_PYTHON names another) and installs the
 * pinned references into it; running it again only installs what is missing or changed.
 */
export function setupBenchPython(log: (line: string) => void, python = process.env.BSEG_PYTHON ?? 'python3'): void {
  const venvPython = projectPath('.venv-bench', 'bin', 'python');
  if (!fs.existsSync(venvPython)) {
    log(`creating ${BENCH_VENV_DIR} with ${python}`);
    execFileSync(python, ['-m', 'venv', BENCH_VENV_DIR], { stdio: 'inherit' });
  }
  log(`installing ${BENCH_REQUIREMENTS}`);
  execFileSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', BENCH_REQUIREMENTS], { stdio: 'inherit' });
  const versions = execFileSync(venvPython, ['-c',
    'import numpy, sklearn, onnxruntime, tokenizers; ' +
    'print(f"numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, onnxruntime {onnxruntime.__version__}, tokenizers {tokenizers.__version__}")']).toString().trim();
  log(`ready: ${versions}; npm run bench -- <name> uses ${venvPython}`);
}
