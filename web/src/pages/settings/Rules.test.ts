import { ruleErrorText } from './Rules';

describe('ruleErrorText', () => {
  it('says where in the YAML the problem is', () => {
    expect(ruleErrorText('The rule cannot be used: unknown modifier.', { line: 7, field: 'detection.selection' })).toBe(
      'Line 7, field detection.selection: The rule cannot be used: unknown modifier.',
    );
    expect(ruleErrorText('Bad.', { field: 'title' })).toBe('Field title: Bad.');
    expect(ruleErrorText('Bad.', undefined)).toBe('Bad.');
  });
});
