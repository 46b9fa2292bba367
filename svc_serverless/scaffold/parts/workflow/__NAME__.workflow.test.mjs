// The __NAME__ workflow's definition: valid JSON, its start state exists, no literal ARN.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const text = readFileSync(new URL('../workflows/__NAME__/__NAME__.asl.json', import.meta.url), 'utf8');

test('the definition is sound', () => {
  const definition = JSON.parse(text);
  assert.ok(definition.StartAt in definition.States);
  assert.ok(!text.includes('arn:'));
});
