#!/usr/bin/env node
// Stripe-Signature headers made by Stripe's own library, for the tests:
// reads a JSON array of {payload, secret, timestamp?, scheme?} on stdin and
// writes the array of headers (stripe.webhooks.generateTestHeaderString).
'use strict';
const Stripe = require('stripe');
const webhooks = new Stripe('sk_test_sign').webhooks;
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
	const out = JSON.parse(input).map((o) => webhooks.generateTestHeaderString(o));
	process.stdout.write(JSON.stringify(out));
});
