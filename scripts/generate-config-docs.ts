/** npm run docs:config — rewrites docs/CONFIG.md from the run config schema. */
import fs from 'node:fs';
import { projectPath } from '../lib/paths';
import { CONFIG_DOCS_PATH, renderConfigDocs } from './config-docs';

fs.writeFileSync(projectPath(CONFIG_DOCS_PATH), renderConfigDocs());
console.log(`wrote ${CONFIG_DOCS_PATH}`);
