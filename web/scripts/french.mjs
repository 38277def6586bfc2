/**
 * French typography of the portal's texts: every string of the web app
 * (`web/src`, string literals, templates and JSX text) and of the Rust
 * crates that word messages and e-mails (`shared/domain/src`,
 * `shared/api/src`), checked for the classic mistakes:
 *
 * - an ordinary space before « : ; ! ? » (French wants a non-breaking
 *   space, U+00A0, the one this codebase uses everywhere);
 * - « and » without their non-breaking space inside;
 * - a space before a comma;
 * - unaccented capitals in our own words ("Etablissement", "Ecole ",
 *   "A partir") and the typographic apostrophe (’) among straight ones;
 * - "email" / "mail" where the portal writes "e-mail".
 *
 * Exceptions (names given by the parents' guide, code) are in ALLOWED
 * below, each with its reason. Run by `npm run build` and `npm run
 * lint:french` (so by `make test`); `--fix` puts the non-breaking spaces
 * in, `--self-test` checks the checker on known mistakes.
 *
 *   node scripts/french.mjs [--fix] [--self-test] [paths…]
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseAst } from 'rolldown/parseAst';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

/** What is checked, from the repository's root. */
const ROOTS = ['web/src', 'shared/domain/src', 'shared/api/src'];
/** Generated from the contract (its texts are the Rust doc comments). */
const SKIP = new Set(['web/src/api/schema.d.ts']);

/**
 * Texts the rules would flag but that are right: each with why.
 * A string is exempt from a rule when it contains one of `text`.
 */
const ALLOWED = [
  // The guide's own names of establishments and activities (its data, reproduced as it spells them).
  { rule: 'capital', text: 'Ecole Lux', why: "the guide's establishment" },
  { rule: 'capital', text: 'Repas Ecoles', why: "the guide's activity" },
  { rule: 'capital', text: 'Ecole Marcellin', why: "the guide's establishment" },
  // The guide's wording, reproduced word for word.
  { rule: 'e-mail', text: 'Renseignez votre email et le mot de passe de votre choix', why: "the guide's sign-up page" },
  { rule: 'e-mail', text: 'Accepte de recevoir des emails', why: "the guide's guardian form" },
  { rule: 'e-mail', text: 'Ceci est un mail automatique merci de ne pas y répondre.', why: "the guide's e-mails" },
];

const NBSP = '\u00a0';
const NNBSP = '\u202f';

const RULES = [
  {
    id: 'space-before',
    message: 'espace ordinaire avant « : ; ! ? » (il faut une espace insécable, U+00A0)',
    re: / [:;!?](?=$|[\s"'`»).,<{}\]\\])/g,
  },
  { id: 'guillemet-open', message: '« sans espace insécable après', re: /«(?![\u00a0\u202f]|\\u00a0|\\u202f|\\u\{a0\}|\\u\{202f\})/g },
  { id: 'guillemet-close', message: '» sans espace insécable avant', re: /(?<![\u00a0\u202f]|\\u00a0|\\u202f|\\u\{a0\}|\\u\{202f\})»/g },
  { id: 'space-comma', message: 'espace avant une virgule', re: /[ \u00a0],/g },
  {
    id: 'capital',
    message: 'majuscule non accentuée (É, À, Ç)',
    re: /\b(?:Etablissement|Ecole|Etat|Etape|Etes|Egalement|Ech[eé]ance|Ev[eéè]nement|El[eè]ve|Electronique|Equipe|Etudiant|Evolution|Edition|Etiez)|(?<![\w'-])A (?=partir|compter|noter|bientôt|venir|traiter|défaut|quelle|cette|ce |la |l'|votre|vos )|(?<![\w'-])Ca (?=[a-zé])/g,
  },
  { id: 'apostrophe', message: 'apostrophe typographique (’) : le portail écrit l\'apostrophe droite', re: /’/g },
  {
    id: 'e-mail',
    message: '« email » / « mail » : le portail écrit « e-mail »',
    re: /(?:\b(?:l'|d'|un |Un |votre |Votre |vos |Vos |par |Par |cet |nouvel |nouveaux |aucun |Aucun |des |les |Les |le |Le )(?:e?mails?)|^E?mails?(?= ?:))\b(?![-_.@])/g,
  },
];

/** Files under `dir` ending in one of `exts`. */
function walk(dir, exts, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, exts, out);
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

/** The strings of a TypeScript file: literals, template parts and JSX text, with their spans. */
function tsStrings(source, file) {
  const ast = parseAst(source, { lang: file.endsWith('.tsx') ? 'tsx' : 'ts' }, file);
  const out = [];
  const visit = (node, parent) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, parent);
      return;
    }
    if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ImportExpression') return;
    if (node.type === 'ExportNamedDeclaration' && node.source) {
      visit(node.declaration, node);
      return;
    }
    if (node.type === 'Literal' && typeof node.value === 'string') {
      out.push({ start: node.start, end: node.end, text: node.value });
    } else if (node.type === 'TemplateElement') {
      out.push({ start: node.start, end: node.end, text: node.value.cooked ?? node.value.raw });
    } else if (node.type === 'JSXText') {
      out.push({ start: node.start, end: node.end, text: node.value });
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      if (value && typeof value === 'object') visit(value, node);
    }
  };
  visit(ast, null);
  return out;
}

/**
 * The string literals of a Rust file (normal, raw and byte strings), past
 * comments, char literals and lifetimes. The text is the source's (escapes
 * left as written): enough for these rules.
 */
function rustStrings(source) {
  const out = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (source[i] === '/' && source[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (source[i] === '*' && source[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if ((c === 'r' || (c === 'b' && next === 'r')) && /^b?r#*"/.test(source.slice(i, i + 260)) && !/[\w]/.test(source[i - 1] ?? '')) {
      const m = /^b?r(#*)"/.exec(source.slice(i, i + 260));
      const close = `"${m[1]}`;
      const start = i + m[0].length;
      const end = source.indexOf(close, start);
      const stop = end < 0 ? n : end;
      out.push({ start: i, end: stop + close.length, text: source.slice(start, stop), innerStart: start });
      i = stop + close.length;
    } else if (c === '"' || (c === 'b' && next === '"' && !/[\w]/.test(source[i - 1] ?? ''))) {
      const open = c === 'b' ? i + 1 : i;
      let j = open + 1;
      while (j < n && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      out.push({ start: i, end: j + 1, text: source.slice(open + 1, j), innerStart: open + 1 });
      i = j + 1;
    } else if (c === "'") {
      // A char literal ('x', '\n', '\'', '\u{a0}') or a lifetime ('a).
      const m = /^'(?:\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'/.exec(source.slice(i, i + 12));
      i += m ? m[0].length : 1;
    } else {
      i++;
    }
  }
  return out;
}

function allowed(rule, text) {
  return ALLOWED.some((a) => a.rule === rule && text.includes(a.text));
}

/** The mistakes in one string. */
function check(text) {
  const found = [];
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    if (!rule.re.test(text)) continue;
    if (allowed(rule.id, text)) continue;
    found.push(rule);
  }
  return found;
}

/** The string with its non-breaking spaces put in (the rules `--fix` can mend). */
function fixed(text) {
  return text
    .replace(/ ([:;!?])(?=$|[\s"'`»).,<{}\]\\])/g, `${NBSP}$1`)
    .replace(/« /g, `«${NBSP}`)
    .replace(/«(?![\u00a0\u202f]|\\u00a0|\\u202f|\\u\{a0\}|\\u\{202f\})/g, `«${NBSP}`)
    .replace(/ »/g, `${NBSP}»`)
    .replace(/(?<![\u00a0\u202f]|\\u00a0|\\u202f|\\u\{a0\}|\\u\{202f\})»/g, `${NBSP}»`);
}

function lineOf(source, offset) {
  let line = 1;
  for (let k = 0; k < offset; k++) if (source.charCodeAt(k) === 10) line++;
  return line;
}

function filesOf(paths) {
  const out = [];
  for (const p of paths) {
    const abs = resolve(repo, p);
    if (statSync(abs).isDirectory()) out.push(...walk(abs, ['.ts', '.tsx', '.rs']));
    else out.push(abs);
  }
  return out.filter((f) => !SKIP.has(relative(repo, f)) && !f.endsWith('.d.ts'));
}

function run(paths, fix) {
  let problems = 0;
  let mended = 0;
  for (const file of filesOf(paths)) {
    const source = readFileSync(file, 'utf8');
    const strings = file.endsWith('.rs') ? rustStrings(source) : tsStrings(source, file);
    if (fix) {
      // From the end, so that earlier offsets stay right.
      let out = source;
      for (const s of [...strings].sort((a, b) => b.start - a.start)) {
        const raw = out.slice(s.start, s.end);
        const mendedRaw = fixed(raw);
        if (mendedRaw !== raw) {
          out = out.slice(0, s.start) + mendedRaw + out.slice(s.end);
          mended++;
        }
      }
      if (out !== source) writeFileSync(file, out);
      continue;
    }
    for (const s of strings) {
      for (const rule of check(s.text)) {
        problems++;
        const shown = s.text.length > 100 ? `${s.text.slice(0, 100)}…` : s.text;
        console.error(`${relative(repo, file)}:${lineOf(source, s.start)}: ${rule.message}\n    ${JSON.stringify(shown)}`);
      }
    }
  }
  return { problems, mended };
}

function selfTest() {
  const bad = {
    'Nom : ': 'space-before',
    'Vraiment ?': 'space-before',
    'Attention !': 'space-before',
    '${a} ; ${b}': 'space-before',
    [`« Mes abonnements${NBSP}»`]: 'guillemet-open',
    [`«${NBSP}Mes abonnements »`]: 'guillemet-close',
    'Maéva , 2/Repas': 'space-comma',
    'Etablissement': 'capital',
    'Ecole maternelle': 'capital',
    'A partir du 3 mars': 'capital',
    'l’enfant': 'apostrophe',
    'votre email': 'e-mail',
    'Adresse : un mail envoyé': 'e-mail',
  };
  const good = [
    `Nom${NBSP}: Martin`,
    `Vraiment${NBSP}?`,
    `«${NBSP}Mes abonnements${NBSP}»`,
    // The escape written in the source is the same space.
    '`«\\u00a0${d.name}\\u00a0»`',
    '"(«\\u{a0}et plus\\u{a0}»)"',
    'de 12:00 à 13:30',
    'https://exemple.fr/a?b=1',
    'Établissement',
    'École',
    '4/Péri SOIR (Ecole Lux)',
    "l'enfant",
    'votre e-mail',
    'email',
    'prenom.nom@exemple.fr',
    'À partir du 3 mars',
  ];
  let failures = 0;
  for (const [text, rule] of Object.entries(bad)) {
    if (!check(text).some((r) => r.id === rule)) {
      console.error(`self-test: ${JSON.stringify(text)} should break ${rule}`);
      failures++;
    }
  }
  for (const text of good) {
    const found = check(text);
    if (found.length) {
      console.error(`self-test: ${JSON.stringify(text)} is right, flagged ${found.map((r) => r.id).join(', ')}`);
      failures++;
    }
  }
  if (fixed('Nom : « x » ; « ; »') !== `Nom${NBSP}: «${NBSP}x${NBSP}»${NBSP}; «${NBSP};${NBSP}»`) {
    console.error('self-test: --fix does not mend "Nom : « x »"');
    failures++;
  }
  const rust = rustStrings(`// "a :" in a comment\nlet c = '"'; let s = "b :"; let r = r#"c "d" :"#; fn f<'a>(x: &'a str) {}`);
  if (rust.map((s) => s.text).join('|') !== 'b :|c "d" :') {
    console.error(`self-test: Rust strings read ${JSON.stringify(rust.map((s) => s.text))}`);
    failures++;
  }
  const ts = tsStrings(`const a = x ? 'A :' : <p title="t">Texte : {b} ok</p>; // 'c :'\nconst t = \`x \${y ? 1 : 2} z\`;`, 'x.tsx');
  if (ts.map((s) => s.text).join('|') !== 'A :|t|Texte : | ok|x | z') {
    console.error(`self-test: TypeScript strings read ${JSON.stringify(ts.map((s) => s.text))}`);
    failures++;
  }
  return failures;
}

const args = process.argv.slice(2);
const fix = args.includes('--fix');
const paths = args.filter((a) => !a.startsWith('--'));
if (args.includes('--self-test')) {
  const failures = selfTest();
  if (failures) {
    console.error(`french: the checker's self-test failed (${failures})`);
    process.exit(1);
  }
}
const { problems, mended } = run(paths.length ? paths : ROOTS, fix);
if (fix) {
  console.log(`french: ${mended} string(s) mended`);
} else if (problems) {
  console.error(`\nfrench: ${problems} typography mistake(s); see web/scripts/french.mjs for the rules and the exceptions`);
  process.exit(1);
} else {
  console.log('french: typography checked');
}
