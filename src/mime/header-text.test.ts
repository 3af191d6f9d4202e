import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerTextField } from './header-text.js';

describe('headerTextField', () => {
  const block = 'From: a@b\nreferences: <1@x>\n <2@x>\n\t<3@x>\nSubject: s\nReferences: <later@x>\nX-References: <no@x>\n';
  it('finds the first field by name, case-insensitively, joining continuation lines', () => {
    assert.equal(headerTextField(block, 'References'), '<1@x>  <2@x> \t<3@x>');
    assert.equal(headerTextField(block, 'subject'), 's');
  });
  it('null when absent; a longer name with the same ending does not match', () => {
    assert.equal(headerTextField(block, 'In-Reply-To'), null);
    assert.equal(headerTextField('X-References: <no@x>\n', 'References'), null);
    assert.equal(headerTextField('', 'References'), null);
  });
});
