import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('CSV export', () => {
  it('quotes commas, quotes, semicolons and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x;y')).toBe('"x;y"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });
  it('defuses spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+49 171')).toBe("'+49 171");
    expect(csvCell('@SUM')).toBe("'@SUM");
  });
  it('writes CRLF rows with a header', () => {
    expect(toCsv(['a', 'b'], [[1, 'Ölwechsel'], [2, '']])).toBe('a,b\r\n1,Ölwechsel\r\n2,\r\n');
  });
});
