// merge.mjs OUT.json VERSION core/openapi.json plugins/*/openapi.json
// The document of a carbotd with every plugin of this repository, merged as
// core/openapi.c merges the enabled ones at run time (t/openapi.t compares
// the two): paths by operation, components by kind and name, tags appended.
import { readFileSync, writeFileSync } from 'node:fs';

const [out, version, ...files] = process.argv.slice(2);
const doc = {
  openapi: '3.1.0',
  info: {
    title: 'CarBot API',
    version,
    description: "The routes of this carbotd's enabled plugins. Errors share one shape: " +
      '{"error": {"code", "message", "details"?}}.',
    license: { name: 'Proprietary' },
  },
  servers: [{ url: '/' }],
  tags: [],
  paths: {},
  components: {},
};
const mergeMembers = (dst, src) => {
  for (const [k, v] of Object.entries(src || {})) {
    dst[k] ??= {};
    Object.assign(dst[k], v);
  }
};
const owner = {}; // "schemas/Name" -> fragment: a second one stops carbotd (core/openapi.c), so the build too
for (const f of files) {
  const frag = JSON.parse(readFileSync(f, 'utf8'));
  for (const [kind, members] of Object.entries(frag.components || {}))
    for (const name of Object.keys(members)) {
      const k = `${kind}/${name}`;
      if (owner[k]) {
        console.error(`${f}: components.${kind}.${name} is already described by ${owner[k]}`);
        process.exit(1);
      }
      owner[k] = f;
    }
  mergeMembers(doc.paths, frag.paths);
  mergeMembers(doc.components, frag.components);
  doc.tags.push(...(frag.tags || []));
}
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
