// Tokenizes .loom files with the TextMate grammar (vscode-textmate + vscode-oniguruma, as
// VS Code does) and checks every comment, string, number, keyword and weight path against
// an independent lexer written from grammar/Loom.g4's lexer rules. Prints one line per
// mismatch (file:line:col) and a summary; exits 1 on any mismatch.
//   node test/tokenize.js DIR_OR_FILE...
'use strict';
const fs = require('fs');
const path = require('path');

let vsctm, oniguruma;
try {
  vsctm = require('vscode-textmate');
  oniguruma = require('vscode-oniguruma');
} catch (e) {
  console.error('tokenize.js: run `npm ci` in tools/editor first (' + e.message + ')');
  process.exit(2);
}

const KEYWORDS = new Set(['import', 'block', 'model', 'input', 'output', 'repeat', 'index',
  'shared', 'as', 'residual', 'if', 'else', 'let', 'return', 'capture']);
const CONSTANTS = new Set(['true', 'false', 'none']);  // none: Loom's absent value

// The lexer of grammar/Loom.g4: [kind, offset, text] for comments, strings, numbers, names.
function lex(text) {
  const rules = [
    ['comment', /\/\/[^\r\n]*/y], ['comment', /\/\*[\s\S]*?\*\//y],
    ['string', /"(?:[^"\\\r\n]|\\.)*"/y],
    ['number', /[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|\.[0-9]+(?:[eE][+-]?[0-9]+)?/y],
    ['number', /[0-9]+/y],
    ['name', /[a-zA-Z_][a-zA-Z_0-9]*(?:\.[a-zA-Z_0-9]+)*/y],
    ['space', /[ \t\r\n]+/y], ['punct', /==|!=|<=|>=|&&|\|\||./y],
  ];
  const out = [];
  let pos = 0;
  while (pos < text.length) {
    for (const [kind, re] of rules) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (m) {
        if (kind !== 'space') out.push([kind, pos, m[0]]);
        pos += m[0].length;
        break;
      }
    }
  }
  return out;
}

// The scope each lexeme must carry (a prefix), or null when any is fine.
function expected(tokens, i) {
  const [kind, , text] = tokens[i];
  const prev = i > 0 ? tokens[i - 1][2] : '';
  if (kind === 'comment') return ['comment.'];
  if (kind === 'string') return ['string.quoted.double'];
  if (kind === 'number') return ['constant.numeric'];
  if (kind !== 'name') return null;
  if (prev === 'as') return ['entity.name.tag.weight-path'];
  if (CONSTANTS.has(text)) return ['constant.language'];
  if (KEYWORDS.has(text)) return ['keyword.', 'storage.', 'support.type'];
  return null;
}

async function main() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s) => new oniguruma.OnigScanner(s),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(
      fs.readFileSync(path.join(__dirname, '..', 'loom.tmLanguage.json'), 'utf8'),
      'loom.tmLanguage.json'),
  });
  const grammar = await registry.loadGrammar('source.loom');
  const files = [];
  for (const arg of process.argv.slice(2)) {
    if (fs.statSync(arg).isDirectory()) {
      for (const f of fs.readdirSync(arg).sort())
        if (f.endsWith('.loom')) files.push(path.join(arg, f));
    } else {
      files.push(arg);
    }
  }
  const counts = { comment: 0, string: 0, number: 0, keyword: 0, 'weight path': 0, constant: 0 };
  let mismatches = 0, lines = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lineStarts = [0];
    for (let i = 0; i < text.length; ++i) if (text[i] === '\n') lineStarts.push(i + 1);
    // TextMate tokens per line: scopes at each column.
    let stack = vsctm.INITIAL;
    const scopesAt = [];
    for (const line of text.split('\n')) {
      const r = grammar.tokenizeLine(line, stack);
      scopesAt.push(r.tokens);
      stack = r.ruleStack;
    }
    lines += scopesAt.length;
    const tokens = lex(text);
    tokens.forEach(([kind, offset, lexeme], i) => {
      const want = expected(tokens, i);
      if (!want) return;
      let ln = lineStarts.length - 1;
      while (lineStarts[ln] > offset) --ln;
      const col = offset - lineStarts[ln];
      const tok = scopesAt[ln].find((t) => t.startIndex <= col && col < t.endIndex);
      const scopes = tok ? tok.scopes : [];
      const label = want[0] === 'comment.' ? 'comment' : want[0].startsWith('string') ? 'string'
        : want[0].startsWith('constant.numeric') ? 'number'
        : want[0].startsWith('entity') ? 'weight path'
        : want[0].startsWith('constant') ? 'constant' : 'keyword';
      counts[label]++;
      if (!scopes.some((s) => want.some((w) => s.startsWith(w)))) {
        ++mismatches;
        console.log(`${file}:${ln + 1}:${col + 1}: ${label} '${lexeme.split('\n')[0]}' has scopes ` +
                    `${scopes.join(' ')}, expected ${want.join(' or ')}`);
      }
    });
  }
  console.log(`tokenized ${files.length} files (${lines} lines): ` +
              Object.entries(counts).map(([k, v]) => `${v} ${k}s`).join(', ') +
              `; ${mismatches} mismatches`);
  process.exit(mismatches ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
