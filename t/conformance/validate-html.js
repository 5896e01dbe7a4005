#!/usr/bin/env node
// Validates HTML documents with html-validate (the templates plugin's tests).
// stdin: a JSON object {name: html}; stdout: a JSON object {name: [messages]},
// an empty list meaning valid. Rules: html-validate's "recommended" set
// (parse errors, content model, duplicate ids, accessibility rules such as
// missing alt text, labels, heading levels), minus the few that are about
// authoring style rather than correctness.
'use strict';
const { HtmlValidate, StaticConfigLoader } = require('html-validate');

const config = {
	extends: ['html-validate:recommended'],
	rules: {
		// the templates keep their CSS inline by design (no external requests)
		'no-inline-style': 'off',
		// long German words wrap fine; this rule is about source layout
		'long-title': 'off',
		// <a href="tel:..."> and "#top" are fine
		'no-redundant-role': 'error',
		// data-carbot-open is a boolean attribute the chat widget looks for
		'attribute-boolean-style': 'off',
		'attribute-empty-style': 'off',
		// phone numbers come from data; tel: links get white-space:nowrap instead
		'tel-non-breaking': 'off',
	},
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
	const docs = JSON.parse(input);
	const validator = new HtmlValidate(new StaticConfigLoader(config));
	const out = {};
	for (const [name, html] of Object.entries(docs)) {
		const report = await validator.validateString(html, `${name}.html`);
		out[name] = report.results.flatMap((r) =>
			r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`)
		);
	}
	process.stdout.write(JSON.stringify(out));
});
