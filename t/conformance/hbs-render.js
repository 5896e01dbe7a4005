#!/usr/bin/env node
// Renders cases with handlebars.js (the reference for plugins/templates).
// stdin: a JSON array of {template, data, partials}; stdout: a JSON array of
// {output} or {error} in the same order. Partials are compiled by handlebars
// itself when first used (registered as source), as Handlebars.compile does.
'use strict';
const Handlebars = require('handlebars');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
	const cases = JSON.parse(input);
	const out = cases.map((c) => {
		try {
			const hb = Handlebars.create();
			const tpl = hb.compile(c.template);
			return { output: tpl(c.data, { partials: c.partials || {} }) };
		} catch (e) {
			return { error: String(e.message || e) };
		}
	});
	process.stdout.write(JSON.stringify(out));
});
