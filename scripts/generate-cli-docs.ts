/** npm run docs:cli — rewrites the client's help in docs/OPERATIONS.md from the commander definitions. */
import fs from 'node:fs';
import { projectPath } from '../lib/paths';
import { CLI_DOCS_PATH, withCurrentCliHelp } from './cli-docs';

const file = projectPath(CLI_DOCS_PATH);
fs.writeFileSync(file, withCurrentCliHelp(fs.readFileSync(file, 'utf8')));
console.log(`wrote the client help into ${CLI_DOCS_PATH}`);
