// Checks that span the functions: the template and the folders agree, and the service keeps
// its share-nothing, encryption and operations contracts (partial batch responses, queue
// timeouts, alarms, gradual deploys, scoped key policy). Runs without AWS and without
// dependencies, so it reads template.yaml as text, resource by resource.
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

// Top-level resources of template.yaml as {logicalId: text of its block}.
const blocks = Object.fromEntries(
  template.slice(template.indexOf('\nResources:\n'), template.indexOf('\nOutputs:'))
    .split(/\n {2}(?=[A-Za-z0-9]+:\n {4}Type: )/).slice(1)
    .map((block) => [block.slice(0, block.indexOf(':')), block]),
);
const ofType = (type) => Object.entries(blocks).filter(([, block]) => block.includes(`\n    Type: ${type}\n`));
const functions = ofType('AWS::Serverless::Function');
const alarms = ofType('AWS::CloudWatch::Alarm');
const globalSetting = (name) => template.match(new RegExp(`\\nGlobals:[\\s\\S]*?\\n {4}${name}: (\\d+)`))?.[1];
const setting = (block, name) => Number(block.match(new RegExp(`\\n {6}${name}: (\\d+)`))?.[1] ?? globalSetting(name));
// The events of a function: [type, text] for each entry under Events.
const eventsOf = (block) => (block.split('\n      Events:\n')[1] ?? '').split(/\n {8}(?=\w+:\n {10}Type: )/)
  .map((event) => [event.match(/\n {10}Type: (\w+)/)?.[1], event]).filter(([type]) => type);
const references = (block, id) => new RegExp(`!(Ref|GetAtt) ${id}\\b|\\$\\{${id}\\}`).test(block);

test('stream and queue sources report partial batch failures', () => {
  const sources = functions.flatMap(([name, block]) => eventsOf(block).filter(([type]) => ['SQS', 'DynamoDB', 'Kinesis'].includes(type)).map(([, event]) => [name, event]));
  assert.ok(sources.length > 0);
  for (const [name, event] of sources) {
    // Without it one bad record sends its whole batch back: records are processed again.
    assert.match(event, /FunctionResponseTypes:\s*\n\s*- ReportBatchItemFailures/, name);
  }
});

test('the queue visibility timeout outlasts every attempt', () => {
  for (const [name, block] of functions) {
    for (const [, event] of eventsOf(block).filter(([type]) => type === 'SQS')) {
      const queue = blocks[event.match(/Queue: !GetAtt (\w+)\.Arn/)[1]];
      const visibility = Number(queue.match(/VisibilityTimeout: (\d+)/)[1]);
      const window = Number(event.match(/MaximumBatchingWindowInSeconds: (\d+)/)?.[1] ?? 0);
      // Lambda's rule for SQS sources: otherwise a message still being processed is delivered again.
      assert.ok(visibility >= 6 * setting(block, 'Timeout') + window, `${name}: VisibilityTimeout ${visibility}`);
    }
  }
});

test('functions have bounded concurrency', () => {
  for (const [name, block] of functions) {
    const reserved = setting(block, 'ReservedConcurrentExecutions');
    assert.ok(reserved > 0, name);
    for (const [, event] of eventsOf(block).filter(([type]) => type === 'SQS')) {
      const maximum = Number(event.match(/MaximumConcurrency: (\d+)/)?.[1]);
      assert.ok(maximum >= 2 && maximum <= reserved, `${name}: MaximumConcurrency ${maximum}`);
    }
  }
});

test('the router answers within the HTTP API limit', () => {
  for (const [name, block] of functions) {
    if (eventsOf(block).some(([type]) => type === 'HttpApi')) assert.ok(setting(block, 'Timeout') <= 29, name);
  }
});

test('every function deploys gradually and rolls back on its alarm', () => {
  assert.match(template, /\n {4}AutoPublishAlias: /);
  for (const [name, block] of functions) {
    const preference = block.split('\n      DeploymentPreference:\n')[1]?.split(/\n {6}\w/)[0];
    assert.ok(preference, `${name} has no DeploymentPreference: a bad deploy reaches all traffic at once`);
    // All at once in dev only; every other stage starts with a canary.
    const [, later] = preference.match(/Type: !If \[IsDev, AllAtOnce, (\w+)\]/) ?? [];
    assert.ok(later && !later.startsWith('AllAtOnce'), `${name}: ${preference}`);
    const rollback = [...preference.matchAll(/- !Ref (\w+)/g)].map((m) => m[1]);
    assert.ok(rollback.some((alarm) => blocks[alarm]?.includes('Type: AWS::CloudWatch::Alarm') && references(blocks[alarm], name)), `${name}: no rollback alarm watches this function`);
  }
});

test('every function has an alarm on its failures', () => {
  for (const [name] of functions) assert.ok(alarms.some(([, alarm]) => references(alarm, name)), name);
});

test('every dead-letter queue and the API have alarms', () => {
  const deadLetter = new Set([...template.matchAll(/(?:deadLetterTargetArn|Destination): !GetAtt (\w+)\.Arn/g)].map((m) => m[1]));
  assert.ok(deadLetter.size > 0);
  for (const queue of deadLetter) assert.ok(alarms.some(([, alarm]) => references(alarm, queue)), `${queue} has no alarm`);
  const api = alarms.filter(([, alarm]) => references(alarm, 'Api'));
  assert.ok(api.some(([, alarm]) => /MetricName: 5xx\n/.test(alarm)), "no alarm on the API's 5xx answers");
  assert.ok(api.some(([, alarm]) => /MetricName: Latency\n/.test(alarm)), "no alarm on the API's latency");
  for (const [name, block] of functions) {
    if (eventsOf(block).some(([type]) => type === 'DynamoDB')) {
      assert.ok(alarms.some(([, alarm]) => alarm.includes('MetricName: IteratorAge') && references(alarm, name)), `${name}: no alarm on its iterator age`);
    }
  }
  for (const [name, alarm] of alarms) assert.match(alarm, /AlarmActions:\n\s+- /, `${name} notifies nobody`);
});

test('the key policy lets services act only for this stack', () => {
  const statements = blocks.ServiceKey.split(/\n {10}- Sid: /).slice(1).filter((statement) => /\n {14}Service: /.test(statement));
  assert.ok(statements.length > 0);
  for (const statement of statements) {
    const sid = statement.split('\n')[0];
    const logs = statement.match(/kms:EncryptionContext:aws:logs:arn: (.+)/);
    if (logs) {
      // CloudWatch Logs names the log group in the encryption context: this stack's only.
      assert.ok(logs[1].includes('${AWS::StackName}-'), sid);
    } else {
      assert.match(statement, /\n {16}aws:SourceAccount: !Ref AWS::AccountId\n/, sid);
      assert.match(statement, /\n {16}aws:SourceArn: !Sub arn:.*\$\{AWS::AccountId\}/, sid);
    }
  }
});
