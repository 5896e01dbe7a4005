#!/usr/bin/env node
// A local stand-in for the part of Stripe's REST API the billing plugin calls:
// customers, checkout sessions (with a real checkout page), billing portal
// sessions, subscriptions (retrieve, list, update, cancel) and invoices
// (list). It keeps state in memory, answers with Stripe's JSON and error
// shapes, and delivers webhooks signed the way Stripe signs them (the npm
// `stripe` package makes the Stripe-Signature header), retrying on non-2xx.
//
//   node server.js --port 0 --api-key sk_test_x --webhook-url URL --webhook-secret whsec_x
//                  [--state FILE]   (keeps its state across restarts)
// The key and the secret may come from STANDIN_API_KEY and STANDIN_WEBHOOK_SECRET.
//
// It prints "stripe-standin listening on http://127.0.0.1:PORT" once ready.
// Test controls live under /_standin/ (see the routes below): hold, reorder,
// duplicate or drop deliveries, fail or pay an invoice, end a period, slow
// down the API. This is local test mode only: no card data, no real money.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const Stripe = require('stripe');

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
	args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const API_KEY = args['api-key'] || process.env.STANDIN_API_KEY || 'sk_test_standin';
const WEBHOOK_URL = args['webhook-url'] || process.env.STANDIN_WEBHOOK_URL || '';
const WEBHOOK_SECRET = args['webhook-secret'] || process.env.STANDIN_WEBHOOK_SECRET || 'whsec_standin';
const HOST = args.host || '127.0.0.1';
const signer = new Stripe(API_KEY).webhooks;

const PRICES = {
	price_premium_month: {amount: 4900, interval: 'month', product: 'prod_premium'},
	price_premium_year: {amount: 49000, interval: 'year', product: 'prod_premium'},
	price_enterprise_month: {amount: 19900, interval: 'month', product: 'prod_enterprise'},
	price_enterprise_year: {amount: 199000, interval: 'year', product: 'prod_enterprise'},
};

const fs = require('node:fs');
const STATE = args.state || ''; // a file keeping the state across restarts (make run)
const db = {customers: {}, sessions: {}, portals: {}, subs: {}, invoices: {}, idem: {}, invoiceNo: 0};
if (STATE && fs.existsSync(STATE)) Object.assign(db, JSON.parse(fs.readFileSync(STATE, 'utf8')));
function save() {
	if (!STATE) return;
	db.invoiceNo = invoiceNo;
	fs.writeFileSync(STATE + '.tmp', JSON.stringify(db));
	fs.renameSync(STATE + '.tmp', STATE);
}
const ctl = {hold: false, duplicate: false, drop: false, delay_ms: 0, fail_deliveries: 0,
             retry_ms: 500, max_attempts: 6};
const held = [];
const deliveries = []; // {event_id, type, attempts, status}
let baseUrl = '';
let invoiceNo = db.invoiceNo || 0;

const now = () => Math.floor(Date.now() / 1000);
const rid = (prefix) => prefix + '_' + crypto.randomBytes(12).toString('hex');

function addPeriod(t, interval) {
	const d = new Date(t * 1000);
	if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + 1);
	else d.setUTCMonth(d.getUTCMonth() + 1);
	return Math.floor(d.getTime() / 1000);
}

// Stripe's form encoding: a[b][0][c]=v into nested objects (numeric keys stay
// object keys; readers index them as strings).
function parseForm(body) {
	const out = {};
	for (const [k, v] of new URLSearchParams(body)) {
		const path = k.replace(/\]/g, '').split('[');
		let o = out;
		for (let i = 0; i < path.length - 1; i++) o = o[path[i]] = o[path[i]] || {};
		o[path[path.length - 1]] = v;
	}
	return out;
}

function err(status, type, message, extra) {
	return [status, {error: Object.assign({type, message}, extra || {})}];
}
const missing = (what, id) =>
	err(404, 'invalid_request_error', `No such ${what}: '${id}'`, {code: 'resource_missing', param: 'id'});

function invoiceFor(sub, status, amount) {
	const inv = {
		id: rid('in'), object: 'invoice', customer: sub.customer, subscription: sub.id,
		number: 'STANDIN-' + String(++invoiceNo).padStart(4, '0'), created: now(),
		amount_due: amount, amount_paid: status === 'paid' ? amount : 0, currency: 'eur',
		status, attempted: true, paid: status === 'paid',
		hosted_invoice_url: `${baseUrl}/invoice/${invoiceNo}`,
		invoice_pdf: `${baseUrl}/invoice/${invoiceNo}.pdf`,
	};
	db.invoices[inv.id] = inv;
	sub.latest_invoice = inv.id;
	return inv;
}

function subItem(priceId) {
	const p = PRICES[priceId];
	return {object: 'list', data: [{id: rid('si'), object: 'subscription_item', quantity: 1,
		price: {id: priceId, object: 'price', product: p.product, unit_amount: p.amount,
		        currency: 'eur', recurring: {interval: p.interval, interval_count: 1}}}]};
}

function newSubscription(customer, priceId, metadata) {
	const t = now();
	const interval = PRICES[priceId].interval;
	const sub = {
		id: rid('sub'), object: 'subscription', customer, status: 'active', created: t,
		current_period_start: t, current_period_end: addPeriod(t, interval),
		cancel_at_period_end: false, canceled_at: null, ended_at: null, trial_start: null,
		trial_end: null, items: subItem(priceId), metadata: metadata || {}, livemode: false,
	};
	db.subs[sub.id] = sub;
	return sub;
}

// ---- webhooks ----

function event(type, object) {
	const e = {id: rid('evt'), object: 'event', api_version: '2024-06-20', created: now(), type,
	           livemode: false, pending_webhooks: 1, request: {id: null, idempotency_key: null},
	           data: {object: JSON.parse(JSON.stringify(object))}};
	if (ctl.drop) {
		deliveries.push({event_id: e.id, type, attempts: 0, status: 'dropped'});
		return;
	}
	if (ctl.hold) held.push(e);
	else send(e);
	if (ctl.duplicate) (ctl.hold ? held.push(e) : send(e));
}

function send(e, attempt = 1, record) {
	const rec = record || {event_id: e.id, type: e.type, attempts: 0, status: 'pending'};
	if (!record) deliveries.push(rec);
	if (!WEBHOOK_URL) { rec.status = 'no_endpoint'; return; }
	const payload = JSON.stringify(e);
	const header = signer.generateTestHeaderString({payload, secret: WEBHOOK_SECRET});
	rec.attempts = attempt;
	const retry = () => {
		if (attempt >= ctl.max_attempts) { rec.status = 'failed'; return; }
		setTimeout(() => send(e, attempt + 1, rec), ctl.retry_ms * 2 ** (attempt - 1));
	};
	if (ctl.fail_deliveries > 0) { ctl.fail_deliveries--; rec.status = 'retrying'; return retry(); }
	const req = http.request(WEBHOOK_URL, {method: 'POST', timeout: 10000, headers: {
		'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': header,
		'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'}}, (res) => {
		res.resume();
		rec.last_status = res.statusCode;
		if (res.statusCode >= 200 && res.statusCode < 300) rec.status = 'delivered';
		else { rec.status = 'retrying'; retry(); }
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', () => { rec.status = 'retrying'; retry(); });
	req.end(payload);
}

// ---- the API ----

const api = [];
const route = (method, re, fn) => api.push({method, re, fn});

route('POST', /^\/v1\/customers$/, (p) => {
	const c = {id: rid('cus'), object: 'customer', created: now(), email: p.email || null,
	           name: p.name || null, metadata: p.metadata || {}, livemode: false};
	db.customers[c.id] = c;
	return [200, c];
});
route('GET', /^\/v1\/customers\/([\w]+)$/, (p, m) =>
	db.customers[m[1]] ? [200, db.customers[m[1]]] : missing('customer', m[1]));
route('POST', /^\/v1\/customers\/([\w]+)$/, (p, m) => {
	const c = db.customers[m[1]];
	if (!c) return missing('customer', m[1]);
	if (p.email) c.email = p.email;
	if (p.metadata) Object.assign(c.metadata, p.metadata);
	return [200, c];
});

route('POST', /^\/v1\/checkout\/sessions$/, (p) => {
	if (p.mode !== 'subscription')
		return err(400, 'invalid_request_error', 'Only mode=subscription is supported here', {param: 'mode'});
	if (!p.customer || !db.customers[p.customer])
		return err(400, 'invalid_request_error', `No such customer: '${p.customer}'`,
		           {code: 'resource_missing', param: 'customer'});
	const li = p.line_items && p.line_items['0'];
	if (!li || !PRICES[li.price])
		return err(400, 'invalid_request_error', `No such price: '${li && li.price}'`,
		           {code: 'resource_missing', param: 'line_items[0][price]'});
	if (!p.success_url || !p.cancel_url)
		return err(400, 'invalid_request_error', 'Missing required param: success_url.',
		           {code: 'parameter_missing', param: 'success_url'});
	const s = {id: rid('cs_test'), object: 'checkout.session', mode: 'subscription', status: 'open',
	           payment_status: 'unpaid', customer: p.customer,
	           client_reference_id: p.client_reference_id || null, subscription: null,
	           metadata: p.metadata || {}, success_url: p.success_url, cancel_url: p.cancel_url,
	           created: now(), expires_at: now() + 86400, livemode: false, price: li.price,
	           subscription_metadata: (p.subscription_data && p.subscription_data.metadata) || {}};
	s.url = `${baseUrl}/checkout/${s.id}`;
	db.sessions[s.id] = s;
	return [200, s];
});
route('GET', /^\/v1\/checkout\/sessions\/([\w]+)$/, (p, m) =>
	db.sessions[m[1]] ? [200, db.sessions[m[1]]] : missing('checkout.session', m[1]));

route('POST', /^\/v1\/billing_portal\/sessions$/, (p) => {
	if (!p.customer || !db.customers[p.customer])
		return err(400, 'invalid_request_error', `No such customer: '${p.customer}'`,
		           {code: 'resource_missing', param: 'customer'});
	const s = {id: rid('bps'), object: 'billing_portal.session', customer: p.customer,
	           return_url: p.return_url || null, created: now(), livemode: false};
	s.url = `${baseUrl}/portal/${s.id}`;
	db.portals[s.id] = s;
	return [200, s];
});

route('GET', /^\/v1\/subscriptions\/([\w]+)$/, (p, m) =>
	db.subs[m[1]] ? [200, db.subs[m[1]]] : missing('subscription', m[1]));
route('GET', /^\/v1\/subscriptions$/, (p) => list(Object.values(db.subs).filter((s) =>
	(!p.customer || s.customer === p.customer) &&
	(p.status === 'all' || (p.status ? s.status === p.status : s.status !== 'canceled'))), p,
	'/v1/subscriptions'));
route('POST', /^\/v1\/subscriptions\/([\w]+)$/, (p, m) => {
	const sub = db.subs[m[1]];
	if (!sub) return missing('subscription', m[1]);
	if (sub.status === 'canceled')
		return err(400, 'invalid_request_error',
		           'A canceled subscription can only update its cancellation_details and metadata.');
	const item = p.items && p.items['0'];
	if (item) {
		if (!PRICES[item.price])
			return err(400, 'invalid_request_error', `No such price: '${item.price}'`,
			           {code: 'resource_missing', param: 'items[0][price]'});
		if (item.id && item.id !== sub.items.data[0].id)
			return err(400, 'invalid_request_error', `No such subscription item: '${item.id}'`,
			           {code: 'resource_missing', param: 'items[0][id]'});
		const old = sub.items.data[0].price.unit_amount, id = sub.items.data[0].id;
		sub.items = subItem(item.price);
		sub.items.data[0].id = id;
		sub.proration_behavior = p.proration_behavior || 'create_prorations';
		if (sub.proration_behavior !== 'none')
			invoiceFor(sub, 'paid', Math.max(0, sub.items.data[0].price.unit_amount - old));
	}
	if (p.cancel_at_period_end !== undefined) sub.cancel_at_period_end = p.cancel_at_period_end === 'true';
	if (p.metadata) Object.assign(sub.metadata, p.metadata);
	event('customer.subscription.updated', sub);
	return [200, sub];
});
route('DELETE', /^\/v1\/subscriptions\/([\w]+)$/, (p, m) => {
	const sub = db.subs[m[1]];
	if (!sub) return missing('subscription', m[1]);
	cancel(sub);
	return [200, sub];
});

route('GET', /^\/v1\/invoices$/, (p) => list(Object.values(db.invoices).filter((i) =>
	!p.customer || i.customer === p.customer).sort((a, b) => b.created - a.created), p, '/v1/invoices'));

function list(items, p, url) {
	let start = 0;
	if (p.starting_after) start = items.findIndex((x) => x.id === p.starting_after) + 1;
	const limit = Math.min(Math.max(parseInt(p.limit || '10', 10) || 10, 1), 100);
	const data = items.slice(start, start + limit);
	return [200, {object: 'list', url, has_more: start + limit < items.length, data}];
}

function cancel(sub) {
	sub.status = 'canceled';
	sub.canceled_at = sub.ended_at = now();
	event('customer.subscription.deleted', sub);
}

// ---- pages a browser (or a test) drives ----

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function page(title, body) {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
		'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>' +
		'<p role="status"><strong>Local test mode</strong>: this is CarBot\'s Stripe stand-in. ' +
		'No card is charged and no card data is asked for.</p>' + body + '</body></html>';
}

function pay(s) {
	const sub = newSubscription(s.customer, s.price, s.subscription_metadata);
	s.status = 'complete';
	s.payment_status = 'paid';
	s.subscription = sub.id;
	const inv = invoiceFor(sub, 'paid', PRICES[s.price].amount);
	event('customer.subscription.created', sub);
	event('invoice.paid', inv);
	event('checkout.session.completed', s);
}

function pageRoute(method, path, body, res) {
	let m;
	if (method === 'GET' && (m = path.match(/^\/checkout\/([\w]+)$/))) {
		const s = db.sessions[m[1]];
		if (!s) return html(res, 404, page('Not found', '<h1>No such checkout session</h1>'));
		const p = PRICES[s.price];
		const price = `${(p.amount / 100).toFixed(2)} EUR per ${p.interval}`;
		if (s.status !== 'open')
			return html(res, 200, page('Checkout', `<h1>This checkout is ${esc(s.status)}</h1>`));
		return html(res, 200, page('Checkout', `<h1>Subscribe: ${esc(p.product.replace('prod_', ''))}</h1>` +
			`<p>${esc(price)}</p><form method="post" action="/checkout/${esc(s.id)}/pay">` +
			'<button type="submit" name="action" value="pay">Pay (test mode)</button></form>' +
			`<form method="post" action="/checkout/${esc(s.id)}/decline">` +
			'<button type="submit" name="action" value="decline">Decline</button></form>'));
	}
	if (method === 'POST' && (m = path.match(/^\/checkout\/([\w]+)\/(pay|decline)$/))) {
		const s = db.sessions[m[1]];
		if (!s || s.status !== 'open')
			return html(res, 409, page('Checkout', '<h1>This checkout is no longer open</h1>'));
		if (m[2] === 'pay') pay(s);
		else {
			s.status = 'expired';
			event('checkout.session.expired', s);
		}
		const to = (m[2] === 'pay' ? s.success_url : s.cancel_url).replace('{CHECKOUT_SESSION_ID}', s.id);
		res.writeHead(303, {Location: to, 'Content-Type': 'text/html; charset=utf-8'});
		return res.end(page('Done', `<a href="${esc(to)}">Back to CarBot</a>`));
	}
	if (method === 'GET' && (m = path.match(/^\/invoice\/(\d+)(\.pdf)?$/))) {
		const number = 'STANDIN-' + m[1].padStart(4, '0');
		const inv = Object.values(db.invoices).find((i) => i.number === number);
		if (!inv) return html(res, 404, page('Not found', '<h1>No such invoice</h1>'));
		return html(res, 200, page('Invoice ' + number, `<h1>Invoice ${esc(number)}</h1>` +
			`<p>${esc((inv.amount_due / 100).toFixed(2))} EUR, ${esc(inv.status)}, ` +
			`${esc(new Date(inv.created * 1000).toISOString().slice(0, 10))}</p>`));
	}
	if (method === 'GET' && (m = path.match(/^\/portal\/([\w]+)$/))) {
		const ps = db.portals[m[1]];
		if (!ps) return html(res, 404, page('Not found', '<h1>No such portal session</h1>'));
		const subs = Object.values(db.subs).filter((x) => x.customer === ps.customer && x.status !== 'canceled');
		const rows = subs.map((x) => `<li>${esc(x.items.data[0].price.id)}: ${esc(x.status)}` +
			(x.cancel_at_period_end ? ' (ends at period end)' : '') +
			`<form method="post" action="/portal/${esc(ps.id)}/cancel/${esc(x.id)}">` +
			'<button type="submit">Cancel at period end</button></form></li>').join('');
		return html(res, 200, page('Billing portal', `<h1>Your subscription</h1><ul>${rows}</ul>` +
			(ps.return_url ? `<a href="${esc(ps.return_url)}">Back to CarBot</a>` : '')));
	}
	if (method === 'POST' && (m = path.match(/^\/portal\/([\w]+)\/cancel\/([\w]+)$/))) {
		const ps = db.portals[m[1]], sub = db.subs[m[2]];
		if (!ps || !sub || sub.customer !== ps.customer)
			return html(res, 404, page('Not found', '<h1>Not found</h1>'));
		sub.cancel_at_period_end = true;
		event('customer.subscription.updated', sub);
		res.writeHead(303, {Location: ps.return_url || '/'});
		return res.end();
	}
	return false;
}

function html(res, status, text) {
	res.writeHead(status, {'Content-Type': 'text/html; charset=utf-8'});
	res.end(text);
}

// ---- test controls (/_standin/...), JSON in and out ----

function control(method, path, p) {
	let m;
	if (method === 'POST' && path === '/_standin/config') {
		for (const k of Object.keys(ctl)) if (p[k] !== undefined) ctl[k] = p[k];
		return [200, ctl];
	}
	if (method === 'POST' && path === '/_standin/flush') {
		const batch = held.splice(0);
		if (p.order === 'reverse') batch.reverse();
		ctl.hold = false;
		batch.forEach((e) => send(e));
		return [200, {sent: batch.map((e) => e.type)}];
	}
	if (method === 'GET' && path === '/_standin/deliveries') return [200, {deliveries, held: held.length}];
	if (method === 'GET' && path === '/_standin/state') return [200, db];
	if (method === 'POST' && (m = path.match(/^\/_standin\/subscriptions\/([\w]+)\/(fail_payment|pay|end_period)$/))) {
		const sub = db.subs[m[1]];
		if (!sub) return missing('subscription', m[1]);
		const amount = sub.items.data[0].price.unit_amount;
		if (m[2] === 'fail_payment') {
			sub.status = 'past_due';
			event('invoice.payment_failed', invoiceFor(sub, 'open', amount));
			event('customer.subscription.updated', sub);
		} else if (m[2] === 'pay') {
			const open = Object.values(db.invoices).find((i) => i.subscription === sub.id && i.status === 'open');
			const inv = open || invoiceFor(sub, 'paid', amount);
			Object.assign(inv, {status: 'paid', paid: true, amount_paid: inv.amount_due});
			sub.status = 'active';
			event('invoice.paid', inv);
			event('customer.subscription.updated', sub);
		} else if (sub.cancel_at_period_end) {
			cancel(sub);
		} else {
			sub.current_period_start = sub.current_period_end;
			sub.current_period_end = addPeriod(sub.current_period_start, sub.items.data[0].price.recurring.interval);
			event('invoice.paid', invoiceFor(sub, 'paid', amount));
			event('customer.subscription.updated', sub);
		}
		return [200, sub];
	}
	if (method === 'POST' && path === '/_standin/subscriptions') {
		// A subscription made behind the plugin's back (e.g. by Stripe's dashboard).
		if (!db.customers[p.customer]) return missing('customer', p.customer);
		if (!PRICES[p.price]) return missing('price', p.price);
		const sub = newSubscription(p.customer, p.price, p.metadata);
		invoiceFor(sub, 'paid', PRICES[p.price].amount);
		event('customer.subscription.created', sub);
		return [200, sub];
	}
	return null;
}

// ---- the server ----

function reply(res, status, obj, headers) {
	const body = JSON.stringify(obj);
	res.writeHead(status, Object.assign({'Content-Type': 'application/json',
		'Request-Id': rid('req'), 'Stripe-Version': '2024-06-20'}, headers || {}));
	res.end(body);
}

function serveApi(req, res, path, query, body) {
	const auth = req.headers.authorization || '';
	if (auth !== `Bearer ${API_KEY}`)
		return reply(res, 401, {error: {type: 'invalid_request_error',
			message: 'Invalid API Key provided: ' + (auth.slice(7, 15) || '(none)') + '****'}});
	const p = req.method === 'GET' ? parseForm(query) : parseForm(body);
	const r = api.find((x) => x.method === req.method && x.re.test(path));
	if (!r) return reply(res, 404, {error: {type: 'invalid_request_error',
		message: `Unrecognized request URL (${req.method}: ${path}).`}});
	const key = req.method === 'POST' && req.headers['idempotency-key'];
	const fp = crypto.createHash('sha256').update(req.method + path + body).digest('hex');
	if (key && db.idem[key]) {
		const prev = db.idem[key];
		if (prev.fp !== fp)
			return reply(res, 400, {error: {type: 'idempotency_error', message:
				'Keys for idempotent requests can only be used with the same parameters they were first used with.'}});
		return reply(res, prev.status, prev.obj, {'Idempotent-Replayed': 'true'});
	}
	const [status, obj] = r.fn(p, path.match(r.re));
	if (key && status < 500) db.idem[key] = {fp, status, obj: JSON.parse(JSON.stringify(obj))};
	reply(res, status, obj);
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		if (req.method !== 'GET') res.on('finish', save);
		const body = Buffer.concat(chunks).toString('utf8');
		const [path, query = ''] = req.url.split('?');
		try {
			if (path.startsWith('/v1/')) {
				if (ctl.delay_ms > 0) return setTimeout(() => serveApi(req, res, path, query, body), ctl.delay_ms);
				return serveApi(req, res, path, query, body);
			}
			if (path.startsWith('/_standin/')) {
				const r = control(req.method, path, body ? JSON.parse(body) : {});
				return r ? reply(res, r[0], r[1]) : reply(res, 404, {error: {message: 'no such control'}});
			}
			if (pageRoute(req.method, path, body, res) === false)
				html(res, 404, page('Not found', '<h1>Not found</h1>'));
		} catch (e) {
			reply(res, 500, {error: {type: 'api_error', message: String(e && e.message)}});
		}
	});
});

server.listen(parseInt(args.port || '12111', 10), HOST, () => {
	baseUrl = args['base-url'] || `http://${HOST}:${server.address().port}`;
	process.stdout.write(`stripe-standin listening on ${baseUrl}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
