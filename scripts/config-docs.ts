/**
 * docs/CONFIG.md, rendered from the run config schema (common/config/). Written by
 * `npm run docs:config`; test/unit/run-config.test.ts fails when the file is out of date.
 */
import { CONFIG_SECTIONS, CROSS_FIELD_RULES, configReference, type FieldReference } from '../common/run-config';

export const CONFIG_DOCS_PATH = 'docs/CONFIG.md';

export function renderConfigDocs(): string {
  const fields = configReference();
  const lines = [
    '# Run config reference',
    '',
    '<!-- Generated from common/config/*.ts by `npm run docs:config`; edit the schema, not this file. -->',
    '',
    'A run takes one flat object of the fields below, every one optional (`--set field=value` on the',
    'client, the value read by the field\'s type: `--set kMax=12 --set encoders=tfidf,item2vec --set seed=7`;',
    'lists also as JSON arrays, objects as JSON; see [OPERATIONS.md](OPERATIONS.md#client)).',
    'It is merged with the defaults and validated once, inside the workflow, before anything runs:',
    'every bad field is reported at once, with what it accepts. The schema is organized in sections,',
    'and each activity receives only the sections it reads.',
    '',
    'Before any heavy work, the `preflightRun` step stores the resolved config in the run directory',
    '(`config.json`, recorded in the manifest at the end) and checks every file the config names:',
    '`mappingFile` exists and is a valid mapping, `truthLabelsFile` exists and has `user_id` and',
    '`label` columns, the transformer model directory (when `transformer` is among the `encoders`)',
    'is complete, or the default model is provisioned (`npm run model:provision`), and',
    '`pcaComponents` is below the dimensions of every encoder of the run.',
    '',
    `Sections: ${Object.keys(CONFIG_SECTIONS).map((section) => `[${section}](#${section})`).join(', ')};`,
    '[rules between fields](#rules-between-fields).',
  ];
  for (const [section, schema] of Object.entries(CONFIG_SECTIONS)) {
    lines.push('', `## ${section}`, '', schema.description ?? '', '');
    lines.push('| field | type | default | accepted values | description |', '| --- | --- | --- | --- | --- |');
    for (const field of fields.filter((entry) => entry.section === section)) lines.push(row(field));
  }
  lines.push('', '## Rules between fields', '', 'Checked with the fields, and reported together with them:', '');
  for (const rule of CROSS_FIELD_RULES) lines.push(`- ${rule.fields.map((field) => `\`${field}\``).join(', ')}: ${rule.rule}`);
  return `${lines.join('\n')}\n`;
}

function row(field: FieldReference): string {
  return `| \`${field.field}\` | ${field.type} | \`${JSON.stringify(field.default)}\` | ${cell(field.accepts)} | ${cell(field.description)} |`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
