// Tests of the __NAME__ layer (layers/__NAME__/).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describe } from '../layers/__NAME__/index.mjs';

test('the layer answers', () => {
  assert.equal(describe(), '__NAME__');
});
