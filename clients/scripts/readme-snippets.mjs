// Extracts the ```ts and ```tsx blocks of the client READMEs into test-output/readme/, where
// tsconfig.readme.json typechecks them: a README example that no longer compiles fails the run.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = new URL('../test-output/readme/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const pkg of ['js', 'react', 'server']) {
  const text = readFileSync(new URL(`../${pkg}/README.md`, import.meta.url), 'utf8');
  for (const match of text.matchAll(/```(tsx?)\n([\s\S]*?)```/g)) {
    writeFileSync(new URL(`${pkg}-${++count}.${match[1]}`, out), `${match[2]}\nexport {};\n`);
  }
}
if (count === 0) throw new Error('no ts/tsx snippets found in the READMEs');
console.log(`readme-snippets: ${count} snippet(s) to typecheck`);
