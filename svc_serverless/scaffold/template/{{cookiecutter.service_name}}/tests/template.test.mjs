// Checks that span the functions: the template and the folders agree, and the service keeps
// its share-nothing and encryption conventions. Runs without AWS and without dependencies,
// so it reads template.yaml as text.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const template = read('template.yaml');
const folders = (path) => (existsSync(new URL(path, root)) ? readdirSync(new URL(path, root), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);
const MANIFESTS = new Set(['requirements.txt', 'package.json', 'pyproject.toml', 'setup.py', 'Pipfile']);

test('every function folder is deployed and every function has a folder', () => {
  const codeUris = [...template.matchAll(/CodeUri: functions\/([\w-]+)\//g)].map((m) => m[1]).sort();
  assert.deepEqual(codeUris, folders('functions/').sort());
});

test('each function has exactly one dependency manifest', () => {
  for (const name of folders('functions/')) {
    const found = readdirSync(new URL(`functions/${name}/`, root)).filter((file) => MANIFESTS.has(file) || /^requirements.*\.txt$/.test(file));
    assert.equal(found.length, 1, `${name}: ${found}`);
  }
});

test('functions share code only through the layer', () => {
  for (const name of folders('functions/')) {
    const source = read(`functions/${name}/index.mjs`);
    assert.ok(!/from ['"]\.\.\//.test(source) && !/import\(['"]\.\.\//.test(source), name);
  }
});

test('every log group is encrypted with the service key and expires', () => {
  const groups = template.split(/\n  (?=\w+:\n    Type: )/).filter((block) => block.includes('Type: AWS::Logs::LogGroup'));
  assert.ok(groups.length >= 3);
  for (const block of groups) {
    assert.match(block, /KmsKeyId: !GetAtt ServiceKey\.Arn/);
    assert.match(block, /RetentionInDays: \d+/);
  }
});

test('nothing is shared with other stacks', () => {
  assert.ok(!template.includes('ImportValue'));
  assert.ok(!/^\s+Export:/m.test(template));
});

test('workflows use substitutions for every ARN', () => {
  for (const name of folders('workflows/')) {
    const definition = read(`workflows/${name}/${name}.asl.json`);
    JSON.parse(definition);
    assert.ok(!definition.includes('arn:'), `${name} holds a literal ARN`);
    for (const [, placeholder] of definition.matchAll(/\$\{(\w+)\}/g)) {
      assert.match(template, new RegExp(`\\n {8}${placeholder}: `), `${placeholder} has no DefinitionSubstitutions entry`);
    }
    assert.ok(existsSync(new URL(`workflows/${name}/README.md`, root)), `${name} has no README.md contract`);
  }
});
