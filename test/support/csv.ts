/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records), to check what the exports write. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (c === '"' && field === '') {
      const end = closingQuote(text, i + 1)
      field = text.slice(i + 1, end).replaceAll('""', '"')
      i = end + 1
      if (text[i] !== ',' && text[i] !== '\r')
        throw new Error(`text after a quoted field at ${i}: ${text.slice(i, i + 10)}`)
      continue
    }
    if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`CR without LF at ${i}`)
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += 1
    } else if (c === '\n' || c === '"')
      throw new Error(`bare ${JSON.stringify(c)} in an unquoted field at ${i}`)
    else field += c
    i += 1
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF')
  return records
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== '"') continue
    if (text[i + 1] === '"') i += 1
    else return i
  }
  throw new Error('unterminated quoted field')
}
